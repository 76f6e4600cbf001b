/**
 * Compaction: one partition's small files of a closed event day → one sorted, ZSTD Parquet file, without a
 * reader ever counting a record twice or missing one (shared/lake.ts, visibleFiles). Per partition:
 *   1. read the partition state S (watermark W) and list the topic;
 *   2. for each closed day with visible small files, write the day's visible rows (its small files below W and
 *      its compacted file, if any) sorted by (observedAt, offset) to compactedFileKey(day, through = W). Until
 *      step 3 that file is invisible: a crash leaves it for the next run to overwrite (same W) or delete;
 *   3. record the days in S, `{ day, through: W }`, in one compare-and-set. From that instant readers count the
 *      compacted file instead of the small files below `through`. A lost compare-and-set to the sink (which never
 *      touches `compacted`) is repeated on the new S; lost to another compaction of the same days, it gives up;
 *   4. delete what no reader counts any more (garbageFiles): the replaced small files, older compacted files,
 *      and whatever an earlier run left when it crashed during its deletes.
 * A small file the sink writes meanwhile starts at or above W, so `through` never covers it.
 */
import { escape as aqEscape, type ColumnTable } from 'arquero';
import pLimit from 'p-limit';
import {
  compactedFileKey,
  garbageFiles,
  lakeTableParquet,
  parseDataFileKey,
  PartitionStateChangedError,
  readPartitionStates,
  readWatermark,
  topicPrefix,
  visibleFiles,
  writeWatermark,
  type CompactedDay,
  type PartitionState,
  type Watermark,
} from '../../shared/lake';
import type { ObjectStore } from '../../shared/object-store';
import { fromParquet } from '../../shared/parquet';

/**
 * Rows per row group of a compacted file: in the 100k–1M range DuckDB and Spark parallelise and prune on, and a
 * whole day of one partition of a 1 Hz stream (86,400 rows, about 15 MB of columns before compression) fits one
 * group, so a reader decodes a day with one request and bounded memory.
 */
const COMPACTED_ROW_GROUP_ROWS = 131_072;

const DAY_MS = 24 * 3_600_000;

/** Object requests in flight. */
const CONCURRENCY = 8;

/** Where fault-injection tests stop or gate a run: after each step's durable effect. */
export type CompactionStep =
  | { step: 'written'; partition: number; day: string; key: string }
  | { step: 'recorded'; partition: number; days: string[] }
  | { step: 'deleted'; partition: number; keys: string[] };

export interface CompactionRequest {
  topic: string;
  /** Compact only days that end at or before this instant (epoch ms); the newest day of a partition never. */
  before?: number;
}

export interface CompactedDayResult {
  partition: number;
  day: string;
  key: string;
  /** Files it replaces: small files, and the day's previous compacted file if any. */
  inputs: number;
  rows: number;
  bytes: number;
}

export interface CompactionResult {
  topic: string;
  days: CompactedDayResult[];
  /** Files deleted because no reader counts them any more. */
  deleted: number;
}

export class CompactionConflictError extends Error {
  override name = 'CompactionConflictError';
}

/** The days of one partition to compact now: closed (older than its newest day, and ending by `before`) with small files to fold in. */
export function closedDaysToCompact(
  keys: readonly string[],
  state: Pick<PartitionState, 'partition' | 'nextOffset' | 'hidden' | 'compacted'>,
  before = Infinity,
): string[] {
  const files = keys.map(parseDataFileKey).filter((f) => f?.partition === state.partition);
  const newest =
    files
      .map((f) => f!.day)
      .sort()
      .at(-1) ?? '';
  const withSmallFiles = visibleFiles(keys, new Map([[state.partition, state]]))
    .filter((f) => parseDataFileKey(f.key)!.kind === 'small')
    .map((f) => f.day);
  return [...new Set(withSmallFiles)].filter((day) => day < newest && Date.parse(day) + DAY_MS <= before).sort();
}

export async function compactTopic(
  store: ObjectStore,
  request: CompactionRequest,
  reached: (step: CompactionStep) => Promise<void> = async () => {},
): Promise<CompactionResult> {
  const states = await readPartitionStates(store, request.topic);
  const keys = (await store.list(topicPrefix(request.topic))).filter((key) => parseDataFileKey(key) !== undefined);
  const result: CompactionResult = { topic: request.topic, days: [], deleted: 0 };
  for (const state of states.values()) {
    const mine = keys.filter((key) => parseDataFileKey(key)!.partition === state.partition);
    const { days, deleted } = await compactPartition(store, state, mine, request.before, reached);
    result.days.push(...days);
    result.deleted += deleted;
  }
  return result;
}

async function compactPartition(
  store: ObjectStore,
  state: Watermark,
  keys: readonly string[],
  before: number | undefined,
  reached: (step: CompactionStep) => Promise<void>,
): Promise<{ days: CompactedDayResult[]; deleted: number }> {
  const { partition, nextOffset: through } = state;
  const limit = pLimit(CONCURRENCY);
  const days = await Promise.all(
    closedDaysToCompact(keys, state, before).map(async (day) => {
      const inputs = visibleFiles(
        keys.filter((key) => parseDataFileKey(key)!.day === day),
        new Map([[partition, state]]),
      );
      const tables = await Promise.all(inputs.map((file) => limit(() => readLakeFile(store, file.key))));
      const rows = concat(tables)
        .filter(aqEscape((d: { offset: number }) => d.offset < through))
        .orderby('observedAt', 'offset');
      const key = compactedFileKey(state.topic, partition, day, through);
      const body = lakeTableParquet(rows, COMPACTED_ROW_GROUP_ROWS);
      await store.put(key, body, { contentType: 'application/vnd.apache.parquet' });
      await reached({ step: 'written', partition, day, key });
      return { partition, day, key, inputs: inputs.length, rows: rows.numRows(), bytes: body.length };
    }),
  );
  const recorded =
    days.length === 0
      ? state
      : await recordDays(
          store,
          state,
          days.map(({ day, rows }) => ({ day, through, rows })),
        );
  if (days.length > 0) await reached({ step: 'recorded', partition, days: days.map((d) => d.day) });
  const garbage = garbageFiles(keys, new Map([[partition, recorded]]));
  let deleted = 0;
  for (const day of new Set(garbage.map((key) => parseDataFileKey(key)!.day))) {
    const ofDay = garbage.filter((key) => parseDataFileKey(key)!.day === day);
    await store.delete(ofDay);
    deleted += ofDay.length;
    await reached({ step: 'deleted', partition, keys: ofDay });
  }
  return { days, deleted };
}

async function readLakeFile(store: ObjectStore, key: string): Promise<ColumnTable> {
  const object = await store.get(key);
  // Only a compaction deletes visible files, and only after recording what replaces them.
  if (!object)
    throw new CompactionConflictError(
      `${key} was deleted during compaction: another compaction is running. Run again.`,
    );
  return fromParquet(object.body);
}

const concat = ([first, ...rest]: ColumnTable[]): ColumnTable => first.concat(...rest);

const entriesOf = (state: PartitionState, days: readonly CompactedDay[]): string =>
  JSON.stringify(days.map(({ day }) => state.compacted.find((c) => c.day === day) ?? null));

/**
 * Records the compacted days in the partition state and forgets the hidden orphans they cover. Repeated on a
 * newer state when the sink moved its watermark meanwhile; a conflict when another compaction recorded one of
 * these days (its files are newer, and ours become garbage for the next run).
 */
async function recordDays(store: ObjectStore, read: Watermark, days: readonly CompactedDay[]): Promise<Watermark> {
  const covered = (key: string) => {
    const file = parseDataFileKey(key);
    return days.some((d) => file?.kind === 'small' && file.day === d.day && file.startOffset < d.through);
  };
  let current = read;
  for (;;) {
    try {
      return await writeWatermark(store, current, {
        compacted: [...current.compacted.filter((c) => !days.some((d) => d.day === c.day)), ...days].sort((a, b) =>
          a.day < b.day ? -1 : 1,
        ),
        hidden: current.hidden.filter((key) => !covered(key)),
      });
    } catch (error) {
      if (!(error instanceof PartitionStateChangedError)) throw error;
      const fresh = await readWatermark(store, read.topic, read.partition);
      if (entriesOf(fresh, days) !== entriesOf(read, days))
        throw new CompactionConflictError(
          `Another compaction recorded days of ${read.topic}-${read.partition} meanwhile; this run's files are left for the next run to delete. Run one compaction at a time.`,
          { cause: error },
        );
      current = fresh;
    }
  }
}
