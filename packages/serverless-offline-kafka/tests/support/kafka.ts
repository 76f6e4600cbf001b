/** Helpers for the integration tests: unique topics on the real broker, producing, waiting, recording handlers. */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before } from 'node:test';
import { Kafka, logLevel, type KafkaMessage, type Message } from 'kafkajs';
import { KafkaMskEventSchema, KafkaSelfManagedEventSchema } from '@aws-lambda-powertools/parser/schemas';
import {
  committedOffsets as committedOffsetsOf,
  createTopics as createNamedTopics,
  deleteTopics,
} from '../../../../tests/support/kafka';
import type { LambdaKafkaEvent, LambdaKafkaRecord } from '../../src/event';
import type { InvocationSummary } from '../../src/log';
import type { MappingSettings } from '../../src/mapping';
import type { MetricsReport } from '../../src/metrics';
import { MappingWorker, type WorkerOptions } from '../../src/worker';

const brokers = (process.env.KAFKA_BOOTSTRAP_SERVERS ?? 'localhost:29092').split(',');
export const kafka = new Kafka({ clientId: 'serverless-offline-kafka-tests', brokers, logLevel: logLevel.NOTHING });

/** Creates topics with unique names (3 partitions); `cleanup` deletes them. */
export async function createTopics(
  count: number,
  partitions = 3,
): Promise<{ topics: string[]; cleanup: () => Promise<void> }> {
  const topics = Array.from({ length: count }, () => `offline-kafka-test-${randomUUID().slice(0, 8)}`);
  await createNamedTopics(kafka, topics, partitions);
  return { topics, cleanup: () => deleteTopics(kafka, topics) };
}

/** Fresh topics for the enclosing suite: created before its tests, deleted after them (read the array inside tests). */
export function suiteTopics(count: number): string[] {
  const topics: string[] = [];
  before(async () => topics.push(...(await createTopics(count)).topics));
  after(() => deleteTopics(kafka, topics));
  return topics;
}

/** Idempotent: a retried send to a freshly created topic would otherwise write some partitions twice. */
export async function produce(topic: string, messages: Message[]): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({ topic, messages });
  await producer.disconnect();
}

/** JSON messages `{ n }` keyed `k<n % keys>`, so they spread over the partitions. */
export const numbered = (from: number, count: number, keys = 6): Message[] =>
  Array.from({ length: count }, (_, i) => ({ key: `k${(from + i) % keys}`, value: JSON.stringify({ n: from + i }) }));

export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

export function mappingFor(topic: string, overrides: Partial<MappingSettings> = {}): MappingSettings {
  return {
    functionKey: 'test',
    source: { eventSource: 'SelfManagedKafka' },
    bootstrapServers: brokers,
    topic,
    batchSize: 100,
    maximumBatchingWindowMs: 0,
    startingPosition: { type: 'TRIM_HORIZON' },
    consumerGroupId: `offline-kafka-test-${randomUUID().slice(0, 8)}`,
    filterPatterns: [],
    ...overrides,
  };
}

export const decodedValue = (record: LambdaKafkaRecord): unknown =>
  JSON.parse(Buffer.from(record.value ?? '', 'base64').toString());
export const recordsOf = (event: LambdaKafkaEvent): LambdaKafkaRecord[] => Object.values(event.records).flat();

/** Validates every event against the Powertools Kafka schemas (independent of this package) before recording it. */
export function validated(event: LambdaKafkaEvent): LambdaKafkaEvent {
  if (event.eventSource === 'aws:kafka') KafkaMskEventSchema.parse(event);
  else KafkaSelfManagedEventSchema.parse(event);
  return event;
}

/** A worker whose handler records every event it receives, and whose summaries and metrics are kept. */
export class Harness {
  readonly events: LambdaKafkaEvent[] = [];
  readonly summaries: InvocationSummary[] = [];
  readonly metrics: MetricsReport[] = [];
  readonly worker: MappingWorker;
  readonly mapping: MappingSettings;

  constructor(options: Omit<WorkerOptions, 'handler'> & { handler?: (event: LambdaKafkaEvent) => Promise<unknown> }) {
    this.mapping = options.mapping;
    const handler = options.handler ?? (async () => undefined);
    this.worker = new MappingWorker({
      warn: () => undefined,
      onMetrics: (report) => this.metrics.push(report),
      ...options,
      handler: async (event) => {
        this.events.push(validated(event));
        return handler(event);
      },
      onInvocation: (summary) => this.summaries.push(summary),
    });
  }

  /** Values `n` of every record received, in delivery order. */
  received(): number[] {
    return this.events.flatMap(recordsOf).map((record) => (decodedValue(record) as { n: number }).n);
  }
}

/** Committed offset of each partition for a group (-1: none committed yet). */
export const committedOffsets = (groupId: string, topic: string): Promise<Map<number, number>> =>
  committedOffsetsOf(kafka, groupId, topic);

/** Reads every message of a topic from the beginning as it arrives; `stop` disconnects. */
export async function topicReader(topic: string): Promise<{ messages: KafkaMessage[]; stop: () => Promise<void> }> {
  const messages: KafkaMessage[] = [];
  const reader = kafka.consumer({ groupId: `${topic}-reader-${randomUUID().slice(0, 8)}` });
  await reader.connect();
  await reader.subscribe({ topic, fromBeginning: true });
  await reader.run({ eachMessage: async ({ message }) => void messages.push(message) });
  return { messages, stop: () => reader.disconnect() };
}
