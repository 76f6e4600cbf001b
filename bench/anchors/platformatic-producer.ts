/**
 * @platformatic/kafka (a maintained pure-JS Kafka client, Node ≥ 22) behind the product's MessageProducer port, to
 * measure it against kafkajs in bench/produce.ts. Benchmark-only: installed on first use under the project's cache,
 * never a dependency of the product.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { cacheDir } from '../../stack/paths';
import { run } from '../../stack/tools';
import type { KafkaSettings } from '../../shared/config';
import { produceRequests } from '../../shared/produce-requests';
import type { MessageProducer, OutgoingMessage, PartitionReceipt } from '../../shared/producer';

const VERSION = '2.12.1';
const ALL_REPLICAS = -1;

interface PlatformaticProducer {
  send(options: {
    messages: { topic: string; partition: number; key: string; value: string; headers?: Record<string, string> }[];
    acks: number;
    idempotent: boolean;
  }): Promise<{ offsets?: { topic: string; partition: number; offset: bigint }[] }>;
  close(): Promise<void>;
}
type PlatformaticModule = {
  Producer: new (options: object) => PlatformaticProducer;
  stringSerializers: object;
};

async function platformaticKafka(): Promise<PlatformaticModule> {
  const prefix = join(cacheDir, `bench-platformatic-kafka-${VERSION}`);
  const entry = join(prefix, 'node_modules', '@platformatic', 'kafka', 'dist', 'index.js');
  if (!existsSync(entry))
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefix', prefix, `@platformatic/kafka@${VERSION}`]);
  return (await import(pathToFileURL(entry).href)) as PlatformaticModule;
}

const partitioner = Partitioners.DefaultPartitioner();

/** The same contract as KafkaMessageProducer (idempotent, acks all, requests the broker accepts, in order), plaintext only. */
export async function platformaticProducer(
  settings: KafkaSettings,
  partitionMetadata: PartitionMetadata[],
): Promise<MessageProducer> {
  const { Producer, stringSerializers } = await platformaticKafka();
  const producer = new Producer({
    clientId: `${settings.clientId}-bench`,
    bootstrapBrokers: settings.brokers,
    serializers: stringSerializers,
    idempotent: true,
  });
  return {
    async send(topic: string, messages: OutgoingMessage[]): Promise<PartitionReceipt[]> {
      const receipts: PartitionReceipt[] = [];
      for (const request of produceRequests(messages)) {
        const counts = new Map<number, number>();
        const placed = request.map((message) => {
          const partition = partitioner({
            topic,
            partitionMetadata,
            message: { key: message.key, value: message.value },
          });
          counts.set(partition, (counts.get(partition) ?? 0) + 1);
          return { ...message, topic, partition, headers: message.headers as Record<string, string> | undefined };
        });
        const result = await producer.send({ messages: placed, acks: ALL_REPLICAS, idempotent: true });
        for (const { partition, offset } of result.offsets ?? []) {
          const count = counts.get(partition) ?? 0;
          receipts.push({
            partition,
            count,
            firstOffset: offset.toString(),
            lastOffset: (offset + BigInt(count - 1)).toString(),
          });
        }
      }
      return receipts;
    },
    disconnect: () => producer.close(),
  };
}
