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
import { fromParquet, toParquet, type ArrowTypes } from './parquet';
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
const LAKE_TYPES: ArrowTypes = {
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
const LAKE_COLUMNS = Object.keys(LAKE_TYPES);

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
  return lakeTableParquet(aqTable(columns, LAKE_COLUMNS));
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

/** Object reads in flight. */
const READ_CONCURRENCY = 16;

/** Beyond this many days one listing of the whole topic is cheaper than one listing per day. */
const MAX_DAY_LISTINGS = 31;

/** A listing is retried this often when compaction records a day between the state read and the listing. */
const MAX_LISTING_ATTEMPTS = 5;

/** Data file keys of `topic` in the day folders the range overlaps. */
async function listDayFolders(store: ObjectStore, topic: string, range: TimeRange): Promise<string[]> {
  const firstDay = dayStart(range.from);
  const days = Math.ceil((range.to - firstDay) / DAY_MS);
  const prefixes =
    days > MAX_DAY_LISTINGS
      ? [topicPrefix(topic)]
      : Array.from({ length: days }, (_, i) => `${topicPrefix(topic)}dt=${isoDay(firstDay + i * DAY_MS)}/`);
  return (await Promise.all(prefixes.map((p) => store.list(p)))).flat();
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

const emptyLakeTable = (): ColumnTable => aqTable(Object.fromEntries(LAKE_COLUMNS.map((c) => [c, []])), LAKE_COLUMNS);

/** The files' tables in order, or undefined when one is gone since the listing (a compaction deleted it). */
async function fetchLakeFiles(store: ObjectStore, files: readonly VisibleFile[]): Promise<ColumnTable[] | undefined> {
  const limit = pLimit(READ_CONCURRENCY);
  const objects = await Promise.all(files.map((file) => limit(() => store.get(file.key))));
  if (objects.some((object) => object === undefined)) return undefined;
  return objects.map((object) => fromParquet(object!.body));
}

/** The counted rows of the files' tables in the range, as one table ordered by (observedAt, stationId, sequence). */
function assembleRows(tables: ColumnTable[], files: readonly VisibleFile[], range: TimeRange): ColumnTable {
  const below = new Map(files.map((f) => [f.partition, f.offsetsBelow]));
  const [first, ...rest] = tables;
  return first
    .concat(...rest)
    .filter(
      aqEscape(
        (d: { partition: number; offset: number; observedAt: Date }) =>
          d.offset < below.get(d.partition)! && +d.observedAt >= range.from && +d.observedAt < range.to,
      ),
    )
    .orderby('observedAt', 'stationId', 'sequence')
    .reify();
}

/** Every accepted reading of `topic` observed in the range, exactly once (listLakeFiles), as one table. */
export async function readLake(store: ObjectStore, topic: string, range: TimeRange): Promise<ColumnTable> {
  for (let attempt = 1; attempt <= MAX_LISTING_ATTEMPTS; attempt++) {
    const files = await listLakeFiles(store, topic, range);
    if (files.length === 0) return emptyLakeTable();
    const tables = await fetchLakeFiles(store, files);
    if (tables) return assembleRows(tables, files, range);
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
