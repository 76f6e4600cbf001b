/**
 * The lake: readings as Parquet files in the object store, written exactly once by `sink`.
 *
 * Layout (the Kafka Connect S3 sink's, partitioned by event time `observedAt`, UTC):
 *   lake/<topic>/dt=YYYY-MM-DD/hour=HH/<topic>+<partition>+<startOffset, 10 digits>.parquet
 *   lake/<topic>/_watermarks/<topic>+<partition>.json   { topic, partition, nextOffset, pending, write }
 *
 * The watermark of a partition is the next offset to write: every row of that partition with a lower
 * offset is in exactly one file. Rows at or above it belong to a batch that did not finish; the writer
 * overwrites them when the batch is redelivered, and `readLake` leaves them out until then. `pending`
 * lists the files of unfinished batches, so the writer can delete those that no redelivery rewrites.
 * `write` is unique per write, so each write has its own ETag: a writer's claim on the partition is its own.
 */
import { randomUUID } from 'node:crypto';
import { COLUMN_IDS, HOUR_MS, CLIPPED, IMPUTED } from '@air-quality/preprocessing';
import { escape, table as aqTable, type ColumnTable } from 'arquero';
import { float64, int32, int64, list, timestamp, TimeUnit, utf8 } from '@uwdata/flechette';
import pLimit from 'p-limit';
import { z } from 'zod';
import { unchangedSince, type ObjectStore } from './object-store';
import { columnsToParquet, fromParquet, type ArrowTypes } from './parquet';
import { parseJsonText } from './validation';
import type { Reading } from './schemas/reading';

export const LAKE_ROOT = 'lake';
const DAY_MS = 24 * HOUR_MS;

/** One row of the lake: a reading flattened to columns, plus where it came from in Kafka. */
export interface LakeRow {
  eventId: string;
  stationId: string;
  sequence: number;
  /** Epoch milliseconds, UTC. */
  observedAt: number;
  sourceTime: number;
  readings: Reading['readings'];
  imputed: string[];
  clipped: string[];
  partition: number;
  offset: number;
}

/** Column types of every lake file; readings are float64 columns named by measure id. */
export const LAKE_TYPES: ArrowTypes = {
  eventId: utf8(),
  stationId: utf8(),
  sequence: int64(),
  observedAt: timestamp(TimeUnit.MILLISECOND, 'UTC'),
  sourceTime: timestamp(TimeUnit.MILLISECOND, 'UTC'),
  ...Object.fromEntries(COLUMN_IDS.map((id) => [id, float64()])),
  [IMPUTED]: list(utf8()),
  [CLIPPED]: list(utf8()),
  partition: int32(),
  offset: int64(),
};
export const LAKE_COLUMNS = Object.keys(LAKE_TYPES);

export const topicPrefix = (topic: string): string => `${LAKE_ROOT}/${topic}/`;

/** `dt=YYYY-MM-DD/hour=HH/` of the UTC hour holding `ms`. */
function hourPath(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `dt=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}/`;
}

export const hourStart = (ms: number): number => Math.floor(ms / HOUR_MS) * HOUR_MS;

/**
 * A Kafka Connect style key under `root` for the file of one partition's batch starting at
 * `startOffset`, filed under the UTC hour of `ms`:
 *   <root>dt=YYYY-MM-DD/hour=HH/<topic>+<partition>+<startOffset, 10 digits>.parquet
 */
export function kafkaConnectKey(
  root: string,
  topic: string,
  partition: number,
  startOffset: number,
  ms: number,
): string {
  return `${root}${hourPath(ms)}${topic}+${partition}+${String(startOffset).padStart(10, '0')}.parquet`;
}

export function dataFileKey(topic: string, partition: number, startOffset: number, observedAtMs: number): string {
  return kafkaConnectKey(topicPrefix(topic), topic, partition, startOffset, observedAtMs);
}

export const watermarkKey = (topic: string, partition: number): string =>
  `${topicPrefix(topic)}_watermarks/${topic}+${partition}.json`;

const DATA_FILE = /\/dt=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})\/(.+)\+(\d+)\+(\d+)\.parquet$/;

/** The hour and partition a data file key names, or undefined for any other key. */
export function parseDataFileKey(
  key: string,
): { hourStartMs: number; partition: number; startOffset: number } | undefined {
  const match = DATA_FILE.exec(key);
  if (!match) return undefined;
  const [, day, hour, , partition, startOffset] = match;
  return {
    hourStartMs: Date.parse(`${day}T${hour}:00:00Z`),
    partition: Number(partition),
    startOffset: Number(startOffset),
  };
}

/** Rows → Parquet bytes with the lake's column types. */
export function lakeParquet(rows: readonly LakeRow[]): Uint8Array {
  const columns: Record<string, unknown[]> = {
    eventId: rows.map((r) => r.eventId),
    stationId: rows.map((r) => r.stationId),
    sequence: rows.map((r) => r.sequence),
    observedAt: rows.map((r) => r.observedAt),
    sourceTime: rows.map((r) => r.sourceTime),
    ...Object.fromEntries(COLUMN_IDS.map((id) => [id, rows.map((r) => r.readings[id] ?? null)])),
    [IMPUTED]: rows.map((r) => r.imputed),
    [CLIPPED]: rows.map((r) => r.clipped),
    partition: rows.map((r) => r.partition),
    offset: rows.map((r) => r.offset),
  };
  return columnsToParquet(columns, LAKE_TYPES);
}

// ---- watermark ----

/** The next offset to write for one partition, with the ETag it was read at (undefined: no watermark yet). */
export interface Watermark {
  nextOffset: number;
  /** Keys of data files written (or about to be) by batches that have not moved the watermark yet. */
  pending: string[];
  etag?: string;
}

const watermarkBody = z.object({
  topic: z.string(),
  partition: z.number().int().nonnegative(),
  nextOffset: z.number().int().nonnegative(),
  pending: z.array(z.string()).default([]),
  /** Unique per write, so no two writes of a watermark have the same ETag (a writer's claim is its own). */
  write: z.string().optional(),
});

export async function readWatermark(store: ObjectStore, topic: string, partition: number): Promise<Watermark> {
  const key = watermarkKey(topic, partition);
  const object = await store.get(key);
  if (!object) return { nextOffset: 0, pending: [] };
  const body = parseJsonText(watermarkBody, new TextDecoder().decode(object.body));
  if (!body.ok || body.data.topic !== topic || body.data.partition !== partition) {
    throw new Error(
      `Watermark ${key} in bucket ${store.bucket} is not {topic:"${topic}", partition:${partition}, nextOffset}. Fix or delete it (deleting makes the sink rewrite the partition from the first offset it receives).`,
    );
  }
  return { nextOffset: body.data.nextOffset, pending: body.data.pending, etag: object.etag };
}

/**
 * Replaces the watermark `current` (as read) with `nextOffset` and `pending` in a conditional write, so two
 * writers of one partition cannot both move it: the loser gets PreconditionFailedError and must re-read.
 */
export async function advanceWatermark(
  store: ObjectStore,
  topic: string,
  partition: number,
  current: Watermark,
  nextOffset: number,
  pending: string[] = [],
): Promise<Watermark> {
  const body = JSON.stringify({ topic, partition, nextOffset, pending, write: randomUUID() });
  const { etag } = await store.put(watermarkKey(topic, partition), body, {
    contentType: 'application/json',
    ...unchangedSince(current.etag),
  });
  return { nextOffset, pending, etag };
}

// ---- reader ----

/** Event-time range [from, to) in epoch milliseconds; -Infinity / Infinity leave an end open. */
export interface TimeRange {
  from: number;
  to: number;
}

/** Object reads in flight: a lake of replayed hourly data holds many small files. */
const READ_CONCURRENCY = 16;

/** Beyond this many days one listing of the whole topic is cheaper than one listing per day. */
const MAX_DAY_LISTINGS = 31;

/** Data files of `topic` whose hour overlaps the range, in key order. */
export async function listLakeFiles(store: ObjectStore, topic: string, range: TimeRange): Promise<string[]> {
  if (!(range.from < range.to))
    throw new RangeError(`Lake range needs from < to, got from=${range.from} to=${range.to} (epoch ms).`);
  const firstDay = Math.floor(range.from / DAY_MS) * DAY_MS;
  const days = Math.ceil((range.to - firstDay) / DAY_MS);
  const prefixes =
    days > MAX_DAY_LISTINGS
      ? [topicPrefix(topic)]
      : Array.from(
          { length: days },
          (_, i) => `${topicPrefix(topic)}dt=${new Date(firstDay + i * DAY_MS).toISOString().slice(0, 10)}/`,
        );
  const keys = (await Promise.all(prefixes.map((p) => store.list(p)))).flat();
  return keys
    .filter((key) => {
      const file = parseDataFileKey(key);
      return file !== undefined && file.hourStartMs < range.to && file.hourStartMs + HOUR_MS > range.from;
    })
    .sort();
}

const emptyLakeTable = (): ColumnTable => aqTable(Object.fromEntries(LAKE_COLUMNS.map((c) => [c, []])), LAKE_COLUMNS);

/**
 * Every committed reading of `topic` observed in the range, as one table ordered by (observedAt, stationId,
 * sequence). Rows at or above their partition's watermark (a batch still being written) are left out.
 */
export async function readLake(store: ObjectStore, topic: string, range: TimeRange): Promise<ColumnTable> {
  const keys = await listLakeFiles(store, topic, range);
  if (keys.length === 0) return emptyLakeTable();
  const partitions = [...new Set(keys.map((k) => parseDataFileKey(k)!.partition))];
  const watermarks = new Map(
    await Promise.all(partitions.map(async (p) => [p, (await readWatermark(store, topic, p)).nextOffset] as const)),
  );
  const limit = pLimit(READ_CONCURRENCY);
  const tables = await Promise.all(
    keys.map((key) =>
      limit(async () => {
        const object = await store.get(key);
        // A key listed a moment ago can only vanish if someone deletes lake files; say so rather than read less.
        if (!object)
          throw new Error(
            `Lake file ${key} disappeared while reading; is something deleting from ${topicPrefix(topic)}? Read again.`,
          );
        return fromParquet(object.body);
      }),
    ),
  );
  const [first, ...rest] = tables;
  return first
    .concat(...rest)
    .filter(
      escape(
        (d: { partition: number; offset: number; observedAt: Date }) =>
          d.offset < watermarks.get(d.partition)! && +d.observedAt >= range.from && +d.observedAt < range.to,
      ),
    )
    .orderby('observedAt', 'stationId', 'sequence')
    .reify();
}

/** The lake has no readings for the request (before the sink has filled it, or not of the asked station): train's and report's "lake" source. */
export class SourceUnavailableError extends Error {
  override name = 'SourceUnavailableError';
}

/** The rows of one station of a lake table (each station is its own series). */
export const stationReadings = (readings: ColumnTable, stationId: string): ColumnTable =>
  readings.filter(escape((d: { stationId: string }) => d.stationId === stationId));

/** (stationId, sequence) pairs present more than once; empty when the table holds each reading once. */
export function duplicateReadings(table: ColumnTable): { stationId: string; sequence: number; count: number }[] {
  return table
    .groupby('stationId', 'sequence')
    .count()
    .filter((d: { count: number }) => d.count > 1)
    .objects() as { stationId: string; sequence: number; count: number }[];
}
