/**
 * Seeded sampling (the prototype's `sample` mode) and row export with ISO-8601 timestamps.
 * The generator is mulberry32 (a well-known 32-bit PRNG): the same seed gives the same rows on
 * every platform and Node version.
 */
import { TIMESTAMP } from './catalogue';
import { PreprocessingOptionError } from './errors';
import { toIso, type ColumnTable } from './table';

/** mulberry32: returns a function yielding floats in [0, 1). `seed` is taken as an unsigned 32-bit integer. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
  if (!Number.isInteger(count) || count < 0) throw new PreprocessingOptionError('count', `count must be a non-negative integer (got ${JSON.stringify(count)}).`);
  if (count > n) throw new PreprocessingOptionError('count', `count ${count} is larger than the table (${n} rows); sampling is without replacement.`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new PreprocessingOptionError('seed', `seed must be an integer from 0 to 4294967295 (got ${JSON.stringify(seed)}).`);
  const order = options.order ?? 'time';
  if (order !== 'time' && order !== 'draw') throw new PreprocessingOptionError('order', `order must be 'time' or 'draw' (got ${JSON.stringify(order)}).`);
  const random = mulberry32(seed);
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (n - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  const picked = idx.slice(0, count);
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
      row[name] = name === TIMESTAMP && typeof v === 'number' ? toIso(v) : Array.isArray(v) ? [...v] : v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? null : v;
    });
    return row as RecordRow;
  });
}
