/**
 * Seeded sampling (the prototype's `sample` mode) and row export with ISO-8601 timestamps.
 * The generator is seeded (see random.ts): the same seed gives the same rows on every platform.
 */
import { TIMESTAMP } from './catalogue';
import { PreprocessingOptionError } from './errors';
import { drawWithoutReplacement, seededRandom } from './random';
import { toIso, type ColumnTable } from './table';

/** A table row as a plain object; `timestamp` is an ISO-8601 UTC string. */
export type RecordRow = { timestamp: string } & Record<string, unknown>;

export interface SampleOptions {
  /** `time` (default): the sampled rows in chronological (table) order; `draw`: in the order drawn. */
  order?: 'time' | 'draw';
}

/**
 * Draw `count` distinct rows with a seeded partial Fisher–Yates shuffle. Reproducible for a
 * seed (an integer 0 … 2³²−1); different seeds give different samples.
 */
export function sampleRows(table: ColumnTable, count: number, seed: number, options: SampleOptions = {}): RecordRow[] {
  const n = table.numRows();
  if (!Number.isInteger(count) || count < 0)
    throw new PreprocessingOptionError('count', `count must be a non-negative integer (got ${JSON.stringify(count)}).`);
  if (count > n)
    throw new PreprocessingOptionError(
      'count',
      `count ${count} is larger than the table (${n} rows); sampling is without replacement.`,
    );
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new PreprocessingOptionError(
      'seed',
      `seed must be an integer from 0 to 4294967295 (got ${JSON.stringify(seed)}).`,
    );
  const order = options.order ?? 'time';
  if (order !== 'time' && order !== 'draw')
    throw new PreprocessingOptionError('order', `order must be 'time' or 'draw' (got ${JSON.stringify(order)}).`);
  const picked = [...drawWithoutReplacement(n, count, seededRandom(seed))];
  if (order === 'time') picked.sort((a, b) => a - b);
  return rowsAt(table, picked);
}

/** Every row (or the rows at `indices`) as plain objects with ISO-8601 timestamps; flag lists are copied. */
export function toRecords(table: ColumnTable, indices?: number[]): RecordRow[] {
  return rowsAt(table, indices ?? Array.from({ length: table.numRows() }, (_, i) => i));
}

function rowsAt(table: ColumnTable, indices: number[]): RecordRow[] {
  const names = table.columnNames();
  const cols = names.map((name) => table.array(name) as ArrayLike<unknown>);
  return indices.map((i) => {
    const row: Record<string, unknown> = {};
    names.forEach((name, k) => {
      const v = cols[k][i];
      row[name] =
        name === TIMESTAMP && typeof v === 'number'
          ? toIso(v)
          : Array.isArray(v)
            ? [...v]
            : v === undefined || (typeof v === 'number' && Number.isNaN(v))
              ? null
              : v;
    });
    return row as RecordRow;
  });
}
