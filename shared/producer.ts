import { CompressionTypes, Partitioners, type Kafka, type PartitionMetadata, type Producer } from 'kafkajs';

export interface OutgoingMessage {
  key: string;
  value: string;
  headers?: Record<string, string>;
}

/** Where a batch of messages landed: per partition, how many and which offsets. */
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

/** The broker cannot be reached or refused the messages: name the servers and the fix. */
export class BrokerUnavailableError extends Error {
  override name = 'BrokerUnavailableError';
}

const partitioner = Partitioners.DefaultPartitioner();

/**
 * Idempotent kafkajs producer. Messages are assigned to partitions here, with kafkajs' default
 * (Java-compatible murmur2) partitioner on the key, so each partition's offsets can be reported.
 */
export class KafkaMessageProducer implements MessageProducer {
  private readonly producer: Producer;
  private connected?: Promise<void>;

  constructor(
    private readonly kafka: Kafka,
    private readonly brokers: string[],
  ) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner, retry: { retries: 6, initialRetryTime: 300, maxRetryTime: 10_000 } });
  }

  async send(topic: string, messages: OutgoingMessage[]): Promise<PartitionReceipt[]> {
    if (messages.length === 0) return [];
    try {
      await this.connect();
      const partitionMetadata = await this.partitions(topic);
      const byPartition = new Map<number, OutgoingMessage[]>();
      for (const message of messages) {
        const partition = partitioner({ topic, partitionMetadata, message: { key: message.key, value: message.value } });
        byPartition.set(partition, [...(byPartition.get(partition) ?? []), message]);
      }
      const results = await this.producer.send({
        topic,
        acks: -1,
        compression: CompressionTypes.None,
        messages: [...byPartition].flatMap(([partition, batch]) => batch.map((m) => ({ ...m, partition }))),
      });
      return results.map((r) => {
        const count = byPartition.get(r.partition)?.length ?? 0;
        const first = BigInt(r.baseOffset ?? '0');
        return { partition: r.partition, count, firstOffset: first.toString(), lastOffset: (first + BigInt(count - 1)).toString() };
      });
    } catch (error) {
      throw new BrokerUnavailableError(`Could not produce ${messages.length} messages to ${topic} on ${this.brokers.join(',')}: ${(error as Error).message}. Is Kafka running and does the topic exist? Locally: npm run stack:up.`, { cause: error });
    }
  }

  private readonly partitionMetadata = new Map<string, PartitionMetadata[]>();

  private async partitions(topic: string): Promise<PartitionMetadata[]> {
    const known = this.partitionMetadata.get(topic);
    if (known) return known;
    const admin = this.kafka.admin();
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
  private connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    return this.connected;
  }

  /** Always asks kafkajs to disconnect: after a failed send it may still hold sockets it reopened itself. */
  async disconnect(): Promise<void> {
    this.connected = undefined;
    await this.producer.disconnect();
  }
}
