/** Small helpers between arquero tables and plain column arrays. */
import { table as aqTable, type ColumnTable } from 'arquero';
import { CLIPPED, IMPUTED, TIMESTAMP } from './catalogue';
import { TableShapeError } from './errors';

export type { ColumnTable };

/** A numeric column with missing values as null. */
export type NumCol = (number | null)[];

export const HOUR_MS = 3_600_000;

/** Column names that hold measurements: everything but the timestamp and the flag columns. */
export function measureColumns(table: ColumnTable): string[] {
  return table.columnNames((n) => n !== TIMESTAMP && n !== IMPUTED && n !== CLIPPED);
}

export function requireColumn(table: ColumnTable, name: string, what = 'this step'): void {
  if (table.columnIndex(name) < 0) {
    throw new TableShapeError(
      `The table has no column "${name}", which ${what} needs. Columns present: ${table.columnNames().join(', ') || '(none)'}.`,
    );
  }
}

/** Values of a column (respecting any filter/order on the table) as numbers or null; NaN and undefined become null. */
export function numbers(table: ColumnTable, name: string): NumCol {
  requireColumn(table, name);
  const values = table.array(name) as ArrayLike<unknown>;
  const out: NumCol = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) out[i] = null;
    else if (typeof v === 'number') out[i] = Number.isNaN(v) ? null : v;
    else if (typeof v === 'bigint') out[i] = Number(v);
    else if (v instanceof Date) out[i] = v.getTime();
    else
      throw new TableShapeError(
        `Column "${name}" holds a non-numeric value (${JSON.stringify(v)}) at row ${i}; preprocessing steps expect numbers or null.`,
      );
  }
  return out;
}

/** The timestamp column as epoch milliseconds (no nulls allowed). */
export function timestamps(table: ColumnTable, what = 'this step'): number[] {
  requireColumn(table, TIMESTAMP, what);
  const ts = numbers(table, TIMESTAMP);
  for (let i = 0; i < ts.length; i++) {
    if (ts[i] === null)
      throw new TableShapeError(`Row ${i} has no timestamp; every row needs one (epoch milliseconds, UTC).`);
  }
  return ts as number[];
}

/** Flag lists of a row-flag column, or fresh empty lists when the table has no such column. */
export function flagLists(table: ColumnTable, name: string): string[][] {
  const n = table.numRows();
  if (table.columnIndex(name) < 0) return Array.from({ length: n }, () => []);
  const values = table.array(name) as ArrayLike<unknown>;
  const out: string[][] = new Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    out[i] = Array.isArray(v) ? [...(v as string[])] : [];
  }
  return out;
}

/** Build a table from named columns, keeping the given column order. */
export function makeTable(columns: Record<string, unknown[]>, order?: string[]): ColumnTable {
  return aqTable(columns, order ?? Object.keys(columns));
}

/** A copy of `table` (materialised, filters/order applied) with some columns replaced or added. */
export function withColumns(table: ColumnTable, replace: Record<string, unknown[]>, order?: string[]): ColumnTable {
  const names = order ?? [...table.columnNames(), ...Object.keys(replace).filter((n) => table.columnIndex(n) < 0)];
  const cols: Record<string, unknown[]> = {};
  for (const n of names)
    cols[n] = n in replace ? replace[n] : (Array.from(table.array(n) as ArrayLike<unknown>) as unknown[]);
  return makeTable(cols, names);
}

export const toIso = (ms: number): string => new Date(ms).toISOString();

/** Parse an ISO-8601 string (or pass through epoch ms) to epoch ms; throws on garbage. */
export function toEpochMs(value: number | string | Date): number {
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : value.getTime();
  if (!Number.isFinite(ms))
    throw new TableShapeError(
      `Not a valid time: ${JSON.stringify(value)} (use epoch milliseconds or ISO-8601 with a zone, e.g. 2004-03-10T18:00:00Z).`,
    );
  return ms;
}
