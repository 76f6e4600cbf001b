/** Helpers for the sink's integration tests: unique topics, producing readings, Lambda events from what the broker holds. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context } from 'aws-lambda';
import type { KafkaMessage } from 'kafkajs';
import {
  buildEvent,
  MappingWorker,
  toLambdaRecord,
  type InvocationSummary,
  type LambdaKafkaRecord,
} from 'serverless-offline-kafka';
import { kafkaEventSchema } from '../../../shared/kafka-event';
import { sink, type SinkPorts } from '../../../functions/sink/sink';
import { loadConfig } from '../../../shared/config';
import { createKafka } from '../../../shared/kafka';
import { parseDataFileKey, readLake, readWatermark, topicPrefix } from '../../../shared/lake';
import { duplicateReadings } from '../../support/lake';
import { parsePayload } from '../../../shared/middleware';
import type { ObjectStore } from '../../../shared/object-store';
import { fromParquet } from '../../../shared/parquet';
import {
  createTopics as createTestTopics,
  deleteTopics as deleteTestTopics,
  endOffsets,
  messagesBetween,
  type ConsumedMessage,
} from '../../support/kafka';

export const config = loadConfig();
/** The tests' client of the local broker (auth none: no secret to read, so it never rejects). */
export const kafka = createKafka(config.kafka, 'sink-test');

export const context = {
  awsRequestId: 'sink-test',
  functionName: 'sink',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

export const uniqueTopic = (): string => `sink-test-${randomUUID().slice(0, 8)}`;

/** Creates the topics (3 partitions each unless told) on the real broker. */
export const createTopics = async (topics: string[], partitions?: number): Promise<void> =>
  createTestTopics(await kafka, topics, partitions);

export const deleteTopics = async (topics: string[]): Promise<void> => deleteTestTopics(await kafka, topics);

/** Every message the topic holds (our test topics are never compacted or trimmed). */
export async function allMessages(topic: string): Promise<ConsumedMessage[]> {
  const to = await endOffsets(await kafka, topic);
  return messagesBetween(await kafka, topic, new Map([...to.keys()].map((p) => [p, 0])), to);
}

/** Every record of the topic, as the event source mapping would deliver them, per partition in offset order. */
export async function deliveredRecords(topic: string): Promise<Map<number, LambdaKafkaRecord[]>> {
  const messages = await allMessages(topic);
  const byPartition = new Map<number, LambdaKafkaRecord[]>();
  for (const { partition, message } of messages) {
    const record = toLambdaRecord(topic, partition, message as KafkaMessage);
    const records = byPartition.get(partition);
    if (records) records.push(record);
    else byPartition.set(partition, [record]);
  }
  for (const records of byPartition.values()) records.sort((a, b) => a.offset - b.offset);
  return byPartition;
}

export const kafkaEvent = (records: readonly LambdaKafkaRecord[]) =>
  buildEvent({ eventSource: 'SelfManagedKafka' }, config.kafka.brokers, records);

/** Polls until `condition` holds; the bound only stops a broken run from hanging. */
export async function eventually(what: string, condition: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

/** Waits until the sink has written every record the topic holds now (each partition's watermark at its end). */
export async function caughtUp(store: ObjectStore, topic: string): Promise<void> {
  const ends = await endOffsets(await kafka, topic);
  await eventually(`the lake of ${topic} to catch up`, async () =>
    (
      await Promise.all([...ends].map(async ([p, end]) => (await readWatermark(store, topic, p)).nextOffset >= end))
    ).every(Boolean),
  );
}

export const isWatermark = (key: string): boolean => key.includes('/_watermarks/');

/** Whether a put moves a watermark past a batch (rather than only recording the batch's pending files). */
export async function advancesWatermark(store: ObjectStore, key: string, body: Uint8Array | string): Promise<boolean> {
  if (!isWatermark(key)) return false;
  const stored = await store.get(key);
  const nextOffset = (text: string) => (JSON.parse(text) as { nextOffset: number }).nextOffset;
  return nextOffset(String(body)) > (stored ? nextOffset(new TextDecoder().decode(stored.body)) : 0);
}

/**
 * The sink behind the event source emulator (the plugin's MappingWorker), as under `sls offline start`. Its own
 * failures are infrastructure failures (it dead-letters bad records itself), so they are retried until they pass.
 */
export function sinkWorker(options: {
  topic: string;
  consumerGroupId: string;
  batchSize: number;
  ports: SinkPorts;
  onInvocation?: (summary: InvocationSummary) => void;
}): MappingWorker {
  return new MappingWorker({
    mapping: {
      functionKey: 'sink',
      source: { eventSource: 'SelfManagedKafka' },
      bootstrapServers: config.kafka.brokers,
      topic: options.topic,
      batchSize: options.batchSize,
      maximumBatchingWindowMs: 100,
      startingPosition: { type: 'TRIM_HORIZON' },
      consumerGroupId: options.consumerGroupId,
      filterPatterns: [],
    },
    // A killed consumer's partitions move to the next one after this long (the broker's minimum).
    sessionTimeoutMs: 6000,
    retry: { initialBackoffMs: 100, maxBackoffMs: 500 },
    onInvocation: options.onInvocation ?? (() => undefined),
    handler: (event) => sink(parsePayload(kafkaEventSchema, event), options.ports),
  });
}

const everything = { from: -Infinity, to: Infinity };

/**
 * The lake of a topic that has caught up holds each of `expected` readings exactly once: through readLake (committed
 * rows) and in the raw files too, so no leftover of a failed attempt is waiting for a careless reader.
 */
export async function assertEveryReadingOnce(store: ObjectStore, topic: string, expected: number): Promise<void> {
  const lake = await readLake(store, topic, everything);
  assert.equal(lake.numRows(), expected, 'readings in the lake');
  assert.deepEqual(duplicateReadings(lake), [], 'duplicates in the lake');
  const files = await Promise.all(
    (await store.list(topicPrefix(topic)))
      .filter((key) => parseDataFileKey(key) !== undefined)
      .map(async (key) => fromParquet((await store.get(key))!.body)),
  );
  const raw = files[0].concat(...files.slice(1));
  assert.equal(raw.numRows(), expected, 'rows in all files');
  assert.deepEqual(duplicateReadings(raw), [], 'duplicates in all files');
}
