import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after } from 'node:test';
import { sinkPartition, type SinkPorts } from '../../../functions/sink/sink';
import { loadConfig } from '../../../shared/config';
import type { KafkaRecord } from '../../../shared/kafka-event';
import { parseDataFileKey, readLake, topicPrefix } from '../../../shared/lake';
import { duplicateReadings } from '../../support/lake';
import { S3ObjectStore, type ObjectStore } from '../../../shared/object-store';
import { HOUR, reading, record, T0 } from '../../support/kafka-records';

export const store = new S3ObjectStore(loadConfig().s3);
export const uniqueTopic = (): string => `compact-test-${randomUUID().slice(0, 8)}`;

/** A maker of unique topics whose lakes are removed after the test file's tests. */
export function topicsRemovedAfterwards(): () => string {
  const topics: string[] = [];
  after(() => cleanUp(topics));
  return () => {
    const topic = uniqueTopic();
    topics.push(topic);
    return topic;
  };
}
/** The first event day of the test lakes: 2026-11-24 (T0 is 10:00 that day). */
export const DAY0 = '2026-11-24';
export const STATIONS = ['station-01', 'station-02'];

/** The sink's ports with MinIO; the records are all valid, so nothing goes to the dead-letter topic. */
export const sinkPorts = (target: ObjectStore = store): SinkPorts => ({
  store: target,
  deadLetters: {
    send: () => Promise.reject(new Error('no record of these tests is rejected')),
    disconnect: async () => {},
  },
  deadLetterTopic: 'unused.dlq',
  now: () => performance.now(),
});

/**
 * Hourly readings from T0 on as one partition's records from `firstOffset`: two stations (of that partition) per
 * hour, sequence = `firstSequence` + hour (a late reading of an hour already written needs a new sequence).
 */
export function hourlyRecords(
  topic: string,
  partition: number,
  hours: number[],
  firstOffset: number,
  firstSequence = 0,
): KafkaRecord[] {
  return hours.flatMap((hour, i) =>
    STATIONS.map((station, s) =>
      record(
        firstOffset + i * STATIONS.length + s,
        reading(`${station}-p${partition}`, firstSequence + hour, T0 + hour * HOUR),
        { topic, partition },
      ),
    ),
  );
}

/** Sinks `records` in batches of `batch`, as the mapping would deliver them. */
export async function sinkInBatches(records: readonly KafkaRecord[], batch: number, ports = sinkPorts()) {
  for (let i = 0; i < records.length; i += batch) await sinkPartition(records.slice(i, i + batch), ports);
}

/**
 * A lake of `hours` hourly readings (two stations, from T0: about four event days) in each of `partitions`,
 * written by the sink in batches of 10 records, so each closed day has several small files.
 */
export async function writeLake(topic: string, partitions: number[], hours = 90): Promise<void> {
  const all = [...Array(hours).keys()];
  for (const p of partitions) await sinkInBatches(hourlyRecords(topic, p, all, 0), 10);
}

/** readLake counts each expected (partition, station, sequence) exactly once, and nothing else. */
export async function assertEachOnce(topic: string, expected: number, what: string): Promise<void> {
  const lake = await readLake(store, topic, { from: -Infinity, to: Infinity });
  assert.deepEqual(duplicateReadings(lake), [], `${what}: duplicates`);
  assert.equal(lake.numRows(), expected, `${what}: readings`);
}

export const dataKeys = async (topic: string): Promise<string[]> =>
  (await store.list(topicPrefix(topic))).filter((key) => parseDataFileKey(key) !== undefined);

/** Files by kind in each (partition, day): `small` and `compacted` counts. */
export async function filesByDay(topic: string): Promise<Map<string, { small: number; compacted: number }>> {
  const counts = new Map<string, { small: number; compacted: number }>();
  for (const key of await dataKeys(topic)) {
    const file = parseDataFileKey(key)!;
    const id = `${file.partition}/${file.day}`;
    const count = counts.get(id) ?? { small: 0, compacted: 0 };
    count[file.kind]++;
    counts.set(id, count);
  }
  return counts;
}

/** A gate: `wait` blocks the caller until `open`; `arrived` resolves once someone waits. */
export function gate() {
  let open!: () => void;
  let arrive!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const arrived = new Promise<void>((resolve) => (arrive = resolve));
  return {
    wait: async () => {
      arrive();
      await opened;
    },
    arrived,
    open,
  };
}

export const cleanUp = async (topics: string[]): Promise<void> => {
  for (const topic of topics) await store.delete(await store.list(topicPrefix(topic)));
};
