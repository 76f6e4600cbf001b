import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';

export interface ConsumedMessage {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/** Reads a topic from the beginning with a fresh group until `count` messages arrived or the timeout passed. */
export async function consumeFromBeginning(kafka: Kafka, topic: string, count: number, timeoutMs = 20_000, match: (m: ConsumedMessage) => boolean = () => true): Promise<ConsumedMessage[]> {
  const consumer = kafka.consumer({ groupId: `test-${randomUUID()}` });
  const received: ConsumedMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${received.length}/${count} messages from ${topic} within ${timeoutMs} ms`)), timeoutMs);
      consumer
        .run({
          eachMessage: async (m) => {
            if (!match(m)) return;
            received.push(m);
            if (received.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return received;
}
