import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';

export type Offsets = Map<number, number>;

export interface ConsumedMessage {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/** Runs `use` on an admin connection that is always closed afterwards. */
export async function withAdmin<T>(kafka: Kafka, use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Creates the topics (the broker's replication factor), waiting until every partition has a leader. */
export async function createTopics(kafka: Kafka, topics: string[], numPartitions = 3): Promise<void> {
  await withAdmin(kafka, (admin) =>
    admin.createTopics({ waitForLeaders: true, topics: topics.map((topic) => ({ topic, numPartitions })) }),
  );
}

export const deleteTopics = (kafka: Kafka, topics: string[]): Promise<void> =>
  withAdmin(kafka, (admin) => admin.deleteTopics({ topics }));

/** The next offset to be written, per partition. */
export const endOffsets = (kafka: Kafka, topic: string): Promise<Offsets> =>
  withAdmin(
    kafka,
    async (admin) => new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)])),
  );

/** The committed offset of each partition for a group (-1: none committed yet). */
export const committedOffsets = (kafka: Kafka, groupId: string, topic: string): Promise<Offsets> =>
  withAdmin(kafka, async (admin) => {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((offsets?.partitions ?? []).map(({ partition, offset }) => [partition, Number(offset)]));
  });

/**
 * Every message written to `topic` between two end-offset snapshots, read with a fresh group whose
 * offsets are committed at `from` before it joins: exact, and independent of how much older data
 * the topic holds. (Not consumer.seek: kafkajs drops a pending seek when the consumer restarts, as
 * it does when a fresh broker's offsets coordinator is still loading, and then reads from the end.)
 */
export async function messagesBetween(
  kafka: Kafka,
  topic: string,
  from: Offsets,
  to: Offsets,
  timeoutMs = 30_000,
): Promise<ConsumedMessage[]> {
  const expected = [...to].reduce((n, [p, high]) => n + high - (from.get(p) ?? 0), 0);
  if (expected === 0) return [];
  const groupId = `test-${randomUUID()}`;
  await withAdmin(kafka, (admin) =>
    admin.setOffsets({
      groupId,
      topic,
      partitions: [...from].map(([partition, offset]) => ({ partition, offset: String(offset) })),
    }),
  );
  const consumer = kafka.consumer({ groupId });
  const received: ConsumedMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic });
    const done = new Promise<void>((resolve, reject) => {
      setTimeout(
        () => reject(new Error(`only ${received.length}/${expected} messages from ${topic} within ${timeoutMs} ms`)),
        timeoutMs,
      ).unref();
      consumer
        .run({
          eachMessage: async (m) => {
            if (Number(m.message.offset) >= (to.get(m.partition) ?? 0)) return;
            received.push(m);
            if (received.length === expected) resolve();
          },
        })
        .catch(reject);
    });
    await done;
  } finally {
    await consumer.disconnect();
  }
  return received;
}
