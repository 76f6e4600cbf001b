/** Helpers for the sink's integration tests: unique topics, producing readings, Lambda events from what the broker holds. */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { KafkaMessage } from 'kafkajs';
import { buildEvent, toLambdaRecord, type LambdaKafkaRecord } from '../../../packages/serverless-offline-kafka/src/event';
import { loadConfig } from '../../../shared/config';
import { createKafka } from '../../../shared/kafka';
import { endOffsets, messagesBetween, type ConsumedMessage } from '../../support/kafka';

export const config = loadConfig();
export const kafka = createKafka(config.kafka, 'sink-test');

export const context = { awsRequestId: 'sink-test', functionName: 'sink', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

export const uniqueTopic = (): string => `sink-test-${randomUUID().slice(0, 8)}`;

/** Creates the topics (3 partitions each) on the real broker. */
export async function createTopics(topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: topics.map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1 })) });
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopics(topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics }).finally(() => admin.disconnect());
}

/** Every message the topic holds (our test topics are never compacted or trimmed). */
export async function allMessages(topic: string): Promise<ConsumedMessage[]> {
  const to = await endOffsets(kafka, topic);
  return messagesBetween(kafka, topic, new Map([...to.keys()].map((p) => [p, 0])), to);
}

/** Every record of the topic, as the event source mapping would deliver them, per partition in offset order. */
export async function deliveredRecords(topic: string): Promise<Map<number, LambdaKafkaRecord[]>> {
  const messages = await allMessages(topic);
  const byPartition = new Map<number, LambdaKafkaRecord[]>();
  for (const { partition, message } of messages) {
    byPartition.set(partition, [...(byPartition.get(partition) ?? []), toLambdaRecord(topic, partition, message as KafkaMessage)]);
  }
  for (const records of byPartition.values()) records.sort((a, b) => a.offset - b.offset);
  return byPartition;
}

export const kafkaEvent = (records: readonly LambdaKafkaRecord[]) => buildEvent({ eventSource: 'SelfManagedKafka' }, config.kafka.brokers, records);

