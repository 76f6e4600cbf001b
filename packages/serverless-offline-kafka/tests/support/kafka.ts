/** Helpers for the integration tests: unique topics on the real broker, producing, waiting, recording handlers. */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before } from 'node:test';
import { type Admin, Kafka, logLevel, type KafkaMessage, type Message } from 'kafkajs';
import { KafkaMskEventSchema, KafkaSelfManagedEventSchema } from '@aws-lambda-powertools/parser/schemas';
import type { LambdaKafkaEvent, LambdaKafkaRecord } from '../../src/event';
import type { InvocationSummary } from '../../src/log';
import type { MappingSettings } from '../../src/mapping';
import type { MetricsReport } from '../../src/metrics';
import { MappingWorker, type WorkerOptions } from '../../src/worker';
import { brokers, unreachable } from './broker';

/** A client for these brokers: the shared one below, or one a test started for itself. */
export const clientFor = (addresses: string[]): Kafka =>
  new Kafka({ clientId: 'serverless-offline-kafka-tests', brokers: addresses, logLevel: logLevel.NOTHING });
export const kafka = clientFor(brokers);

/** Runs `use` on an admin connection that is always closed afterwards; an unreachable shared broker is named with the fix. */
export async function withAdmin<T>(use: (admin: Admin) => Promise<T>, client = kafka): Promise<T> {
  const admin = client.admin();
  await admin.connect().catch((error: Error) => {
    throw client === kafka ? new Error(unreachable(brokers, error.message)) : error;
  });
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Creates topics with unique names (3 partitions), waiting until every partition has a leader; `cleanup` deletes them. */
export async function createTopics(
  count: number,
  partitions = 3,
  client = kafka,
): Promise<{ topics: string[]; cleanup: () => Promise<void> }> {
  const topics = Array.from({ length: count }, () => `offline-kafka-test-${randomUUID().slice(0, 8)}`);
  await withAdmin(
    (admin) =>
      admin.createTopics({
        waitForLeaders: true,
        topics: topics.map((topic) => ({ topic, numPartitions: partitions })),
      }),
    client,
  );
  return { topics, cleanup: () => deleteTopics(topics, client) };
}

const deleteTopics = (topics: string[], client = kafka): Promise<void> =>
  withAdmin((admin) => admin.deleteTopics({ topics }), client);

/** Fresh topics for the enclosing suite: created before its tests, deleted after them (read the array inside tests). */
export function suiteTopics(count: number): string[] {
  const topics: string[] = [];
  before(async () => topics.push(...(await createTopics(count)).topics));
  after(() => deleteTopics(topics));
  return topics;
}

/** Idempotent: a retried send to a freshly created topic would otherwise write some partitions twice. */
export async function produce(topic: string, messages: Message[], client = kafka): Promise<void> {
  const producer = client.producer({ idempotent: true, maxInFlightRequests: 1 });
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

  /** The sum of one ESM metric (e.g. PolledEventCount) over every metrics report so far. */
  metricTotal(name: string): number {
    return this.metrics.map((report) => JSON.parse(report.emf)[name] as number).reduce((a, b) => a + b, 0);
  }

  /** Values `n` of every record received, in delivery order. */
  received(): number[] {
    return this.events.flatMap(recordsOf).map((record) => (decodedValue(record) as { n: number }).n);
  }
}

/** Committed offset of each partition for a group (-1: none committed yet). */
export const committedOffsets = (groupId: string, topic: string): Promise<Map<number, number>> =>
  withAdmin(async (admin) => {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((offsets?.partitions ?? []).map(({ partition, offset }) => [partition, Number(offset)]));
  });

/** The next offset to be written, per partition. */
export const endOffsets = (topic: string): Promise<Map<number, number>> =>
  withAdmin(async (admin) => new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)])));

/** Reads every message of a topic from the beginning as it arrives; `stop` disconnects. */
export async function topicReader(topic: string): Promise<{ messages: KafkaMessage[]; stop: () => Promise<void> }> {
  const messages: KafkaMessage[] = [];
  const reader = kafka.consumer({ groupId: `${topic}-reader-${randomUUID().slice(0, 8)}` });
  await reader.connect();
  await reader.subscribe({ topic, fromBeginning: true });
  await reader.run({ eachMessage: async ({ message }) => void messages.push(message) });
  return { messages, stop: () => reader.disconnect() };
}
