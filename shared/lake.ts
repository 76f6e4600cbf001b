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
import { readParquetColumns, toParquet, type ArrowTypes, type ColumnValues } from './parquet';
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
  return toParquet(aqTable(columns, LAKE_COLUMNS), LAKE_TYPES);
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

/** Object reads in flight: enough to hide MinIO/S3 latency behind the decoding of files already fetched. */
const READ_CONCURRENCY = 32;

/** Beyond this many days one listing of the whole topic is cheaper than one listing per day. */
const MAX_DAY_LISTINGS = 31;

/**
 * The key prefixes whose listings hold every data file of the range: one `dt=YYYY-MM-DD/` folder per UTC day it
 * touches (the hour folders below a day folder are in its listing), or the whole topic for long or open ranges.
 */
export function lakeFolderPrefixes(topic: string, range: TimeRange): string[] {
  const firstDay = Math.floor(range.from / DAY_MS) * DAY_MS;
  const days = Math.ceil((range.to - firstDay) / DAY_MS);
  if (!(days <= MAX_DAY_LISTINGS)) return [topicPrefix(topic)];
  return Array.from(
    { length: days },
    (_, i) => `${topicPrefix(topic)}dt=${new Date(firstDay + i * DAY_MS).toISOString().slice(0, 10)}/`,
  );
}

/** Data files of `topic` whose hour overlaps the range, in key order. */
export async function listLakeFiles(store: ObjectStore, topic: string, range: TimeRange): Promise<string[]> {
  if (!(range.from < range.to))
    throw new RangeError(`Lake range needs from < to, got from=${range.from} to=${range.to} (epoch ms).`);
  const keys = (await Promise.all(lakeFolderPrefixes(topic, range).map((p) => store.list(p)))).flat();
  return keys
    .filter((key) => {
      const file = parseDataFileKey(key);
      return file !== undefined && file.hourStartMs < range.to && file.hourStartMs + HOUR_MS > range.from;
    })
    .sort();
}

/**
 * The end (epoch ms) of the newest event-time folder holding a data file of `topic`, or undefined for an empty
 * lake: where a window of "the last N days" of the stream ends (a replay's event times run ahead of the clock).
 */
export async function lakeEventTimeEnd(store: ObjectStore, topic: string): Promise<number | undefined> {
  let end: number | undefined;
  for (const key of await listLakeFiles(store, topic, { from: -Infinity, to: Infinity })) {
    const folderEnd = parseDataFileKey(key)!.hourStartMs + HOUR_MS;
    if (end === undefined || folderEnd > end) end = folderEnd;
  }
  return end;
}

export interface ReadLakeOptions {
  /** The columns of the result, in lake order (default: all); a reader of a few columns fetches and decodes less. */
  columns?: readonly string[];
}

/** What the reader needs of every file whatever the caller asks: visibility, the range and the row order. */
const ROW_KEY_COLUMNS = ['observedAt', 'stationId', 'sequence', 'partition', 'offset'];

/** One file's decoded columns and the indices of its rows the reader keeps. */
interface DecodedFile {
  columns: Map<string, ColumnValues>;
  keep: Uint32Array;
}

function requestedColumns(columns: readonly string[]): string[] {
  const unknown = columns.filter((c) => !LAKE_COLUMNS.includes(c));
  if (unknown.length > 0 || columns.length === 0)
    throw new RangeError(
      `readLake columns must be a non-empty list of lake columns; ${unknown.length > 0 ? `unknown: ${unknown.join(', ')}` : 'got none'}. Lake columns: ${LAKE_COLUMNS.join(', ')}.`,
    );
  return LAKE_COLUMNS.filter((c) => columns.includes(c));
}

/** The next offset to write of each partition the keys belong to: rows at or above it are not committed yet. */
async function committedOffsets(store: ObjectStore, topic: string, keys: string[]): Promise<Map<number, number>> {
  const partitions = [...new Set(keys.map((k) => parseDataFileKey(k)!.partition))];
  return new Map(
    await Promise.all(partitions.map(async (p) => [p, (await readWatermark(store, topic, p)).nextOffset] as const)),
  );
}

/** Indices of the rows that are committed and observed in the range: a loop over the columns, no row objects. */
function visibleRows(
  columns: Map<string, ColumnValues>,
  range: TimeRange,
  committed: Map<number, number>,
): Uint32Array {
  const observedAt = columns.get('observedAt')!;
  const partition = columns.get('partition')!;
  const offset = columns.get('offset')!;
  const keep = new Uint32Array(observedAt.length);
  let kept = 0;
  for (let i = 0; i < observedAt.length; i++) {
    const t = observedAt[i] as number;
    if (t >= range.from && t < range.to && (offset[i] as number) < committed.get(partition[i] as number)!)
      keep[kept++] = i;
  }
  return keep.subarray(0, kept);
}

/** Runs of consecutive rows of one file, in result order: the result is copied run by run. */
interface Runs {
  file: number[];
  start: number[];
  length: number[];
}

/** The sort keys of one file's kept rows: (observedAt, station's rank among all stations read, sequence). */
interface FileKeys {
  observedAt: ColumnValues;
  station: Int32Array;
  sequence: ColumnValues;
  keep: Uint32Array;
}

function fileKeys(files: DecodedFile[]): FileKeys[] {
  const names = new Set<string>();
  for (const f of files) {
    const stations = f.columns.get('stationId')!;
    for (const i of f.keep) names.add(stations[i] as string);
  }
  const rank = new Map([...names].sort().map((name, i) => [name, i]));
  return files.map((f) => {
    const stations = f.columns.get('stationId')!;
    const station = new Int32Array(stations.length);
    for (const i of f.keep) station[i] = rank.get(stations[i] as string)!;
    return { observedAt: f.columns.get('observedAt')!, station, sequence: f.columns.get('sequence')!, keep: f.keep };
  });
}

const compareRows = (a: FileKeys, i: number, b: FileKeys, j: number): number =>
  (a.observedAt[i] as number) - (b.observedAt[j] as number) ||
  a.station[i]! - b.station[j]! ||
  (a.sequence[i] as number) - (b.sequence[j] as number);

/** A file's kept rows in key order: usually they are already (the sink and compaction write sorted runs). */
function sortedKeep(keys: FileKeys): Uint32Array {
  const { keep } = keys;
  for (let k = 1; k < keep.length; k++) {
    if (compareRows(keys, keep[k - 1]!, keys, keep[k]!) > 0)
      return Uint32Array.from([...keep].sort((i, j) => compareRows(keys, i, keys, j)));
  }
  return keep;
}

/**
 * The result order (observedAt, stationId, sequence) as runs: a k-way merge of the files' sorted rows that takes,
 * from the file with the smallest head, every row up to the next file's head at once (a heap of file cursors).
 */
function resultRuns(files: DecodedFile[]): Runs {
  const keys = fileKeys(files);
  const rows = keys.map(sortedKeep);
  const cursor = new Uint32Array(files.length);
  const head = (f: number) => rows[f]![cursor[f]!]!;
  // Equal keys keep file order, so the merge is stable.
  const less = (f: number, g: number) => (compareRows(keys[f]!, head(f), keys[g]!, head(g)) || f - g) < 0;
  const heap = rows.flatMap((r, f) => (r.length > 0 ? [f] : []));
  const siftDown = (at: number) => {
    for (;;) {
      const left = 2 * at + 1;
      if (left >= heap.length) return;
      const child = left + 1 < heap.length && less(heap[left + 1]!, heap[left]!) ? left + 1 : left;
      if (!less(heap[child]!, heap[at]!)) return;
      [heap[at], heap[child]] = [heap[child]!, heap[at]!];
      at = child;
    }
  };
  for (let at = (heap.length >> 1) - 1; at >= 0; at--) siftDown(at);
  const runs: Runs = { file: [], start: [], length: [] };
  const emit = (f: number, row: number) => {
    const last = runs.file.length - 1;
    if (last >= 0 && runs.file[last] === f && runs.start[last]! + runs.length[last]! === row) runs.length[last]! += 1;
    else {
      runs.file.push(f);
      runs.start.push(row);
      runs.length.push(1);
    }
  };
  while (heap.length > 0) {
    const f = heap[0]!;
    const fileRows = rows[f]!;
    // The smallest head among the other files bounds how far this file can go before they take over.
    const next = heap.length > 1 ? (heap.length > 2 && less(heap[2]!, heap[1]!) ? heap[2]! : heap[1]!) : -1;
    do emit(f, fileRows[cursor[f]++]!);
    while (cursor[f]! < fileRows.length && (next < 0 || !less(next, f)));
    if (cursor[f] === fileRows.length) {
      const last = heap.pop()!;
      if (heap.length > 0) heap[0] = last;
    }
    siftDown(0);
  }
  return runs;
}

/** One result column copied from the files run by run: a Float64Array unless it has missing values or text. */
function gather(files: DecodedFile[], name: string, runs: Runs): ColumnValues {
  const sources = files.map((f) => f.columns.get(name)!);
  const total = runs.length.reduce((n, l) => n + l, 0);
  const dense = sources.every((s) => s instanceof Float64Array);
  const out = dense ? new Float64Array(total) : new Array<unknown>(total);
  let at = 0;
  for (let r = 0; r < runs.file.length; r++) {
    const source = sources[runs.file[r]!]!;
    const start = runs.start[r]!;
    const length = runs.length[r]!;
    if (dense) (out as Float64Array).set((source as Float64Array).subarray(start, start + length), at);
    else for (let k = 0; k < length; k++) out[at + k] = source[start + k];
    at += length;
  }
  return out;
}

const emptyLakeTable = (columns: readonly string[]): ColumnTable =>
  aqTable(Object.fromEntries(columns.map((c) => [c, []])), [...columns]);

/**
 * Every committed reading of `topic` observed in the range, as one table ordered by (observedAt, stationId,
 * sequence); observedAt and sourceTime are epoch milliseconds. Rows at or above their partition's watermark (a
 * batch still being written) are left out. Files are fetched in parallel and decoded as they arrive, reading
 * only the asked columns (and those the reader needs), and the table is built once from the kept rows.
 */
export async function readLake(
  store: ObjectStore,
  topic: string,
  range: TimeRange,
  options: ReadLakeOptions = {},
): Promise<ColumnTable> {
  const columns = requestedColumns(options.columns ?? LAKE_COLUMNS);
  const keys = await listLakeFiles(store, topic, range);
  if (keys.length === 0) return emptyLakeTable(columns);
  const committed = await committedOffsets(store, topic, keys);
  const read = [...new Set([...columns, ...ROW_KEY_COLUMNS])];
  const limit = pLimit(READ_CONCURRENCY);
  const files = await Promise.all(
    keys.map((key) =>
      limit(async (): Promise<DecodedFile> => {
        const object = await store.get(key);
        // A key listed a moment ago can only vanish if someone deletes lake files; say so rather than read less.
        if (!object)
          throw new Error(
            `Lake file ${key} disappeared while reading; is something deleting from ${topicPrefix(topic)}? Read again.`,
          );
        const decoded = await readParquetColumns(object.body, read);
        return { columns: decoded.columns, keep: visibleRows(decoded.columns, range, committed) };
      }),
    ),
  );
  const runs = resultRuns(files);
  return aqTable(Object.fromEntries(columns.map((c) => [c, gather(files, c, runs)])), columns);
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
