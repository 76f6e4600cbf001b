import { CompressionTypes, Partitioners, type Kafka, type PartitionMetadata, type Producer } from 'kafkajs';
import type { KafkaSettings } from './config';
import { createKafka, kafkaFailureHint } from './kafka';
import { produceRequests } from './produce-requests';
import { secretsManager, type SecretReader } from './secrets';

export interface OutgoingMessage {
  key: string;
  value: string;
  /** A name with several values (in order) is a header repeated, as Kafka allows. */
  headers?: Record<string, string | string[]>;
}

/** Where a batch of messages landed: per partition, how many and which offsets (a send split into several requests has one per request). */
export interface PartitionReceipt {
  partition: number;
  count: number;
  firstOffset: string;
  lastOffset: string;
}

export interface MessageProducer {
  send(topic: string, messages: OutgoingMessage[]): Promise<PartitionReceipt[]>;
  disconnect(): Promise<void>;
}

/** The broker cannot be reached, refused the client or the messages: names the servers and the fix. */
export class BrokerUnavailableError extends Error {
  override name = 'BrokerUnavailableError';
}

const partitioner = Partitioners.DefaultPartitioner();

/** One Produce request: the messages assigned to partitions, and where each partition's share landed. */
async function produceRequest(
  producer: Producer,
  topic: string,
  partitionMetadata: PartitionMetadata[],
  messages: OutgoingMessage[],
): Promise<PartitionReceipt[]> {
  const byPartition = new Map<number, OutgoingMessage[]>();
  // A few keys (stations) send many messages each: hash each key once per request.
  const partitionOfKey = new Map<string, number>();
  for (const message of messages) {
    let partition = partitionOfKey.get(message.key);
    if (partition === undefined) {
      partition = partitioner({ topic, partitionMetadata, message: { key: message.key, value: message.value } });
      partitionOfKey.set(message.key, partition);
    }
    const batch = byPartition.get(partition);
    if (batch) batch.push(message);
    else byPartition.set(partition, [message]);
  }
  const results = await producer.send({
    topic,
    acks: -1,
    compression: CompressionTypes.None,
    messages: [...byPartition].flatMap(([partition, batch]) => batch.map((m) => ({ ...m, partition }))),
  });
  return results.map((r) => {
    const count = byPartition.get(r.partition)?.length ?? 0;
    const first = BigInt(r.baseOffset ?? '0');
    return {
      partition: r.partition,
      count,
      firstOffset: first.toString(),
      lastOffset: (first + BigInt(count - 1)).toString(),
    };
  });
}

/**
 * Idempotent kafkajs producer. Messages are assigned to partitions here, with kafkajs' default
 * (Java-compatible murmur2) partitioner on the key, so each partition's offsets can be reported.
 * A send is split into produce requests the broker accepts (shared/produce-requests.ts), sent in order.
 * The client is built on the first send (its credentials may have to be read from Secrets Manager).
 */
export class KafkaMessageProducer implements MessageProducer {
  private client?: Promise<{ kafka: Kafka; producer: Producer }>;
  private connected?: Promise<void>;

  constructor(
    private readonly settings: KafkaSettings,
    private readonly clientIdSuffix: string,
    private readonly secrets: SecretReader = secretsManager(),
  ) {}

  async send(topic: string, messages: OutgoingMessage[]): Promise<PartitionReceipt[]> {
    if (messages.length === 0) return [];
    // Outside the try: a message too large for any request, or a missing or malformed secret, is not the broker's fault.
    const requests = produceRequests(messages);
    const { kafka, producer } = await this.kafkaClient();
    const receipts: PartitionReceipt[] = [];
    let sent = 0;
    try {
      await this.connect(producer);
      const partitionMetadata = await this.partitions(kafka, topic);
      // One request at a time, in order: each key keeps its order (kafkajs never splits a send itself).
      for (const request of requests) {
        receipts.push(...(await produceRequest(producer, topic, partitionMetadata, request)));
        sent += request.length;
      }
      return receipts;
    } catch (error) {
      const partly = sent > 0 ? ` (the first ${sent} were sent)` : '';
      throw new BrokerUnavailableError(
        `Could not produce ${messages.length} messages${partly} to ${topic} on ${this.settings.brokers.join(',')}: ${(error as Error).message}. ${kafkaFailureHint(error, this.settings)}`,
        { cause: error },
      );
    }
  }

  /** Built once; a failed attempt (e.g. an unreadable secret) is forgotten so the next send tries again. */
  private kafkaClient(): Promise<{ kafka: Kafka; producer: Producer }> {
    this.client ??= createKafka(this.settings, this.clientIdSuffix, this.secrets).then(
      (kafka) => ({
        kafka,
        producer: kafka.producer({
          idempotent: true,
          maxInFlightRequests: 1,
          createPartitioner: Partitioners.DefaultPartitioner,
          retry: { retries: 6, initialRetryTime: 300, maxRetryTime: 10_000 },
        }),
      }),
      (error: unknown) => {
        this.client = undefined;
        throw error;
      },
    );
    return this.client;
  }

  private readonly partitionMetadata = new Map<string, PartitionMetadata[]>();

  private async partitions(kafka: Kafka, topic: string): Promise<PartitionMetadata[]> {
    const known = this.partitionMetadata.get(topic);
    if (known) return known;
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const partitions = topics[0]?.partitions ?? [];
      this.partitionMetadata.set(topic, partitions);
      return partitions;
    } finally {
      await admin.disconnect();
    }
  }

  /** Connects once; a failed attempt is forgotten so the next send tries again. */
  private connect(producer: Producer): Promise<void> {
    this.connected ??= producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    return this.connected;
  }

  /** Always asks kafkajs to disconnect: after a failed send it may still hold sockets it reopened itself. */
  async disconnect(): Promise<void> {
    this.connected = undefined;
    const client = await this.client?.catch(() => undefined);
    await client?.producer.disconnect();
  }
}
