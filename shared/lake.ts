/**
 * The lake: readings as Parquet files in the object store, written exactly once by `sink`, compacted by `compact`.
 *
 * Layout (the Kafka Connect S3 sink's names, partitioned by the UTC event day of `observedAt`):
 *   lake/<topic>/dt=YYYY-MM-DD/<topic>+<partition>+<startOffset, 10 digits>.parquet            a sink batch's rows of that day
 *   lake/<topic>/dt=YYYY-MM-DD/<topic>+<partition>+<through, 10 digits>.compacted.parquet     one partition's day, compacted
 *   lake/<topic>/_watermarks/<topic>+<partition>.json                                          the partition's state
 *
 * The state of a partition (one JSON document, every write a compare-and-set on its ETag) holds:
 *   - `nextOffset`, the watermark: every row of that partition with a lower offset is in exactly one visible file.
 *     Files starting at or above it belong to a batch that did not finish; the writer overwrites them when the
 *     batch is redelivered, and readers leave them out until then;
 *   - `pending`, the files of unfinished batches, so the writer can delete those that no redelivery rewrites;
 *   - `hidden`, files of failed attempts whose offsets the event source mapping skipped (orphans): deleted, and
 *     invisible even if a stale writer re-creates one after the delete;
 *   - `claim`, the id of the sink invocation that owns the partition (fencing two invocations after a rebalance);
 *   - `compacted`, per event day, the offset range [0, through) of the small files that the day's compacted file
 *     replaces. It is recorded before the small files are deleted, so readers switch atomically.
 * `visibleFiles` is the one rule readers apply; see it for why every record is seen exactly once.
 */
import { COLUMN_IDS, HOUR_MS, CLIPPED, IMPUTED } from '@air-quality/preprocessing';
import { escape as aqEscape, table as aqTable, type ColumnTable } from 'arquero';
import { float64, int32, int64, list, timestamp, TimeUnit, utf8 } from '@uwdata/flechette';
import pLimit from 'p-limit';
import { z } from 'zod';
import { JsonDocument } from './json-document';
import type { ObjectStore } from './object-store';
import { columnsToParquet, readParquetColumns, toParquet, type ArrowTypes, type ColumnValues } from './parquet';
import type { Reading } from './schemas/reading';

const LAKE_ROOT = 'lake';
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

const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Epoch milliseconds of the UTC midnight starting the day of `ms`. */
export const dayStart = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS;

/** `dt=YYYY-MM-DD/hour=HH/` of the UTC hour holding `ms`. */
function hourPath(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `dt=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}/`;
}

const offsetDigits = (offset: number): string => String(offset).padStart(10, '0');

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
  return `${root}${hourPath(ms)}${topic}+${partition}+${offsetDigits(startOffset)}.parquet`;
}

/** The key of a sink batch's rows of one event day (the UTC day of `observedAtMs`), named by their first offset. */
export function dataFileKey(topic: string, partition: number, startOffset: number, observedAtMs: number): string {
  return `${topicPrefix(topic)}dt=${isoDay(observedAtMs)}/${topic}+${partition}+${offsetDigits(startOffset)}.parquet`;
}

/** The key of one partition's compacted day, holding the rows of the day's small files below offset `through`. */
export function compactedFileKey(topic: string, partition: number, day: string, through: number): string {
  return `${topicPrefix(topic)}dt=${day}/${topic}+${partition}+${offsetDigits(through)}.compacted.parquet`;
}

export const watermarkKey = (topic: string, partition: number): string =>
  `${topicPrefix(topic)}_watermarks/${topic}+${partition}.json`;

// `hour=HH/` is the layout before event-day folders: such files are read, and compaction folds them into day files.
const DATA_FILE = /\/dt=(\d{4}-\d{2}-\d{2})\/(?:hour=\d{2}\/)?[^/]+\+(\d+)\+(\d+)(\.compacted)?\.parquet$/;

/** A data file as its key names it: a sink batch's (`small`, by first offset) or a compacted day (by `through`). */
export type DataFile =
  | { kind: 'small'; day: string; partition: number; startOffset: number }
  | { kind: 'compacted'; day: string; partition: number; through: number };

/** The day, partition and offset a data file key names, or undefined for any other key. */
export function parseDataFileKey(key: string): DataFile | undefined {
  const match = DATA_FILE.exec(key);
  if (!match) return undefined;
  const [, day, partition, offset, compacted] = match;
  return compacted
    ? { kind: 'compacted', day, partition: Number(partition), through: Number(offset) }
    : { kind: 'small', day, partition: Number(partition), startOffset: Number(offset) };
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

/** A table of lake rows (as read back) → Parquet bytes with the lake's column types; `rowGroupRows` caps a row group. */
export const lakeTableParquet = (table: ColumnTable, rowGroupRows?: number): Uint8Array =>
  toParquet(table.select(LAKE_COLUMNS), LAKE_TYPES, { rowGroupRows });

// ---- partition state ----

const compactedDaySchema = z.object({
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  /** The day's small files starting below this offset are replaced by compactedFileKey(…, day, through). */
  through: z.number().int().nonnegative(),
  rows: z.number().int().nonnegative(),
});
export type CompactedDay = z.infer<typeof compactedDaySchema>;

const partitionStateSchema = z.object({
  topic: z.string(),
  partition: z.number().int().nonnegative(),
  nextOffset: z.number().int().nonnegative(),
  pending: z.array(z.string()).default([]),
  hidden: z.array(z.string()).default([]),
  claim: z.string().optional(),
  compacted: z.array(compactedDaySchema).default([]),
});
export type PartitionState = z.infer<typeof partitionStateSchema>;

/** The state of a partition that has none yet: nothing written, nothing visible. */
const initialPartitionState = (topic: string, partition: number): PartitionState => ({
  topic,
  partition,
  nextOffset: 0,
  pending: [],
  hidden: [],
  compacted: [],
});

/** A writer of the partition state lost its compare-and-set: someone wrote the state since it was read. */
export class PartitionStateChangedError extends Error {
  override name = 'PartitionStateChangedError';
}

/** The state document of one partition (read → validate → compare-and-set, shared/json-document.ts). */
function partitionStateDocument(store: ObjectStore, topic: string, partition: number) {
  const key = watermarkKey(topic, partition);
  return new JsonDocument<PartitionState>(store, key, {
    schema: partitionStateSchema.refine((s) => s.topic === topic && s.partition === partition, {
      message: `must be the state of topic "${topic}" partition ${partition}`,
    }),
    invalid: (problem, location) =>
      new Error(
        `Partition state ${location} is not {topic:"${topic}", partition:${partition}, nextOffset, …}: ${problem}. Fix it from its previous version (the bucket is versioned); deleting it makes the sink rewrite the partition from the first offset it receives and hides compacted days.`,
      ),
    lost: (cause) => new PartitionStateChangedError(`${key} was written by someone else since it was read.`, { cause }),
  });
}

/** The partition's state as read, with its ETag (no etag: no state yet). */
export type Watermark = PartitionState & { etag?: string };

export async function readWatermark(store: ObjectStore, topic: string, partition: number): Promise<Watermark> {
  const { value, etag } = await partitionStateDocument(store, topic, partition).read();
  return { ...(value ?? initialPartitionState(topic, partition)), etag };
}

/** Replaces the state `current` (as read) by a compare-and-set: the loser gets PartitionStateChangedError. */
export async function writeWatermark(
  store: ObjectStore,
  current: Watermark,
  next: Partial<PartitionState>,
): Promise<Watermark> {
  const { etag: _, ...state } = current;
  const value = { ...state, ...next };
  const written = await partitionStateDocument(store, current.topic, current.partition).write(current, value);
  return { ...value, etag: written.etag };
}

/** Moves the watermark of `current` to `nextOffset` with `pending` (a compare-and-set, as writeWatermark). */
export const advanceWatermark = (
  store: ObjectStore,
  _topic: string,
  _partition: number,
  current: Watermark,
  nextOffset: number,
  pending: string[] = [],
): Promise<Watermark> => writeWatermark(store, current, { nextOffset, pending });

/** Every partition state of `topic`, by partition. */
export async function readPartitionStates(store: ObjectStore, topic: string): Promise<Map<number, Watermark>> {
  const prefix = `${topicPrefix(topic)}_watermarks/`;
  const partitions = (await store.list(prefix))
    .map((key) => /\+(\d+)\.json$/.exec(key)?.[1])
    .filter((p): p is string => p !== undefined)
    .map(Number);
  return new Map(await Promise.all(partitions.map(async (p) => [p, await readWatermark(store, topic, p)] as const)));
}

// ---- the exactly-once view ----

/** A file a reader must read, and the rows of it that count: those with an offset below `offsetsBelow`. */
export interface VisibleFile {
  key: string;
  partition: number;
  day: string;
  offsetsBelow: number;
}

/** What of a partition's state decides visibility. */
export type PartitionView = Pick<PartitionState, 'nextOffset' | 'hidden' | 'compacted'>;

/**
 * The exactly-once view of the lake: which of the listed `keys` a reader reads, given each partition's state
 * (a partition without state has nothing visible). A small file is visible when it starts below the watermark
 * (its batch finished), is not a hidden orphan, and is not covered by its day's compacted range; a compacted file
 * only when its day's state records exactly it. A compacted file written but not recorded (compaction still
 * running, or crashed) is therefore invisible, and its small files still count; once recorded, the small files
 * it replaced no longer count, whether or not they are deleted yet. Each accepted record is in exactly one
 * visible file at every instant.
 */
export function visibleFiles(keys: readonly string[], states: ReadonlyMap<number, PartitionView>): VisibleFile[] {
  const visible: VisibleFile[] = [];
  for (const key of keys) {
    const file = parseDataFileKey(key);
    const state = file && states.get(file.partition);
    if (!file || !state) continue;
    const compacted = state.compacted.find((c) => c.day === file.day);
    const counts =
      file.kind === 'compacted'
        ? compacted?.through === file.through
        : file.startOffset < state.nextOffset &&
          !state.hidden.includes(key) &&
          (compacted === undefined || file.startOffset >= compacted.through);
    if (counts) visible.push({ key, partition: file.partition, day: file.day, offsetsBelow: state.nextOffset });
  }
  return visible;
}

/**
 * Files no reader will ever count again, safe to delete whoever writes concurrently: small files covered by their
 * day's compacted range (ranges only grow, and the sink never writes below its watermark), and compacted files
 * older than the one their day records (a day's next record always has a larger `through`).
 */
export function garbageFiles(keys: readonly string[], states: ReadonlyMap<number, PartitionView>): string[] {
  return keys.filter((key) => {
    const file = parseDataFileKey(key);
    const compacted = file && states.get(file.partition)?.compacted.find((c) => c.day === file.day);
    if (!file || !compacted) return false;
    return file.kind === 'small' ? file.startOffset < compacted.through : file.through < compacted.through;
  });
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

/** A listing is retried this often when compaction records a day between the state read and the listing. */
const MAX_LISTING_ATTEMPTS = 5;

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

/** Data file keys of `topic` in the day folders the range overlaps. */
async function listDayFolders(store: ObjectStore, topic: string, range: TimeRange): Promise<string[]> {
  return (await Promise.all(lakeFolderPrefixes(topic, range).map((p) => store.list(p)))).flat();
}

const sameCompaction = (a: ReadonlyMap<number, PartitionView>, b: ReadonlyMap<number, PartitionView>): boolean =>
  [...new Set([...a.keys(), ...b.keys()])].every(
    (p) => JSON.stringify(a.get(p)?.compacted ?? []) === JSON.stringify(b.get(p)?.compacted ?? []),
  );

/**
 * The files a reader of `topic` must read for the range, in key order, so that every accepted record observed in
 * it is seen exactly once (see visibleFiles), with the offsets that count in each. The states are read before
 * the listing, so a file the sink adds meanwhile is simply not visible yet; and read again after it: when a
 * compaction recorded a day in between, the small files it deletes may be missing from the listing, so it lists
 * again. A visible file can still be deleted before it is fetched (a compaction recording after the listing):
 * readers that find one missing list again (readLake does).
 */
export async function listLakeFiles(store: ObjectStore, topic: string, range: TimeRange): Promise<VisibleFile[]> {
  if (!(range.from < range.to))
    throw new RangeError(`Lake range needs from < to, got from=${range.from} to=${range.to} (epoch ms).`);
  for (let attempt = 1; attempt <= MAX_LISTING_ATTEMPTS; attempt++) {
    const states = await readPartitionStates(store, topic);
    const keys = await listDayFolders(store, topic, range);
    if (!sameCompaction(states, await readPartitionStates(store, topic))) continue;
    return visibleFiles(keys, states)
      .filter((f) => Date.parse(f.day) < range.to && Date.parse(f.day) + DAY_MS > range.from)
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
  throw new Error(
    `The compaction state of ${topicPrefix(topic)} changed during ${MAX_LISTING_ATTEMPTS} listings in a row; is more than one compaction running? Read again.`,
  );
}

/**
 * The end (epoch ms) of the newest hour holding a reading of `topic`, or undefined for an empty lake: where a
 * window of "the last N days" of the stream ends (a replay's event times run ahead of the clock). Only the newest
 * day folder holding one is read, and only its observedAt column.
 */
export async function lakeEventTimeEnd(store: ObjectStore, topic: string): Promise<number | undefined> {
  const files = await listLakeFiles(store, topic, { from: -Infinity, to: Infinity });
  // Newest first: a day whose files hold no counted row yet (a batch still being written) leaves the one before.
  for (const day of [...new Set(files.map((f) => f.day))].sort().reverse()) {
    const from = Date.parse(day);
    const observed = await readLake(store, topic, { from, to: from + DAY_MS }, { columns: ['observedAt'] });
    const last = observed.numRows() - 1;
    if (last >= 0) return Math.floor((observed.get('observedAt', last) as number) / HOUR_MS) * HOUR_MS + HOUR_MS;
  }
  return undefined;
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
 * Every accepted reading of `topic` observed in the range, exactly once (listLakeFiles), as one table ordered by
 * (observedAt, stationId, sequence); observedAt and sourceTime are epoch milliseconds. Files are fetched in
 * parallel and decoded as they arrive, reading only the asked columns (and those the reader needs), and the table
 * is built once from the counted rows. A file deleted since the listing (a compaction replaced it) means list again.
 */
export async function readLake(
  store: ObjectStore,
  topic: string,
  range: TimeRange,
  options: ReadLakeOptions = {},
): Promise<ColumnTable> {
  const columns = requestedColumns(options.columns ?? LAKE_COLUMNS);
  const read = [...new Set([...columns, ...ROW_KEY_COLUMNS])];
  for (let attempt = 1; attempt <= MAX_LISTING_ATTEMPTS; attempt++) {
    const listed = await listLakeFiles(store, topic, range);
    if (listed.length === 0) return emptyLakeTable(columns);
    const counted = new Map(listed.map((f) => [f.partition, f.offsetsBelow]));
    const limit = pLimit(READ_CONCURRENCY);
    const files = await Promise.all(
      listed.map((file) =>
        limit(async (): Promise<DecodedFile | undefined> => {
          const object = await store.get(file.key);
          if (!object) return undefined;
          const decoded = await readParquetColumns(object.body, read);
          return { columns: decoded.columns, keep: visibleRows(decoded.columns, range, counted) };
        }),
      ),
    );
    if (files.every((f) => f !== undefined)) {
      const runs = resultRuns(files);
      return aqTable(Object.fromEntries(columns.map((c) => [c, gather(files, c, runs)])), columns);
    }
  }
  throw new Error(
    `Files of ${topicPrefix(topic)} were deleted between listing and reading ${MAX_LISTING_ATTEMPTS} times in a row (compaction replaces small files); is something else deleting lake files? Read again.`,
  );
}

/** The lake has no readings for the request (before the sink has filled it, or not of the asked station): train's and report's "lake" source. */
export class SourceUnavailableError extends Error {
  override name = 'SourceUnavailableError';
}

/** The rows of one station of a lake table (each station is its own series). */
export const stationReadings = (readings: ColumnTable, stationId: string): ColumnTable =>
  readings.filter(aqEscape((d: { stationId: string }) => d.stationId === stationId));
