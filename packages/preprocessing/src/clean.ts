/**
 * Cleaning steps: small pure functions over arquero tables. Each returns `{ table, report }` and
 * never mutates its input. Measurement columns are every column except `timestamp`, `imputed`
 * and `clipped`; the flag columns hold, per row, the list of column ids whose value a step
 * imputed or clipped (empty list when none).
 */
import { CLIPPED, COLUMNS, IMPUTED, TIMESTAMP, defaultClipRanges, type Range } from './catalogue';
import { mean } from 'simple-statistics';
import { PreprocessingOptionError, TableShapeError } from './errors';
import {
  HOUR_MS,
  flagLists,
  makeTable,
  measureColumns,
  numbers,
  requireColumn,
  timestamps,
  withColumns,
  type ColumnTable,
  type NumCol,
} from './table';

// ---------------------------------------------------------------------------------------------
// Hourly regularisation

export type DuplicateRule = 'mean' | 'first' | 'last';

export interface RegularizeOptions {
  /**
   * How rows that fall in the same hour are merged, per column, over the non-missing values:
   * `mean` (default; like pandas `resample('h').mean()`), `first` / `last` (first / last
   * non-missing value in input order). Deterministic for a given input.
   */
  duplicates?: DuplicateRule;
  /** First hour of the grid (epoch ms or ISO); default: the earliest row's hour. Earlier rows are dropped. */
  start?: number | string;
  /** Last hour of the grid (epoch ms or ISO); default: the latest row's hour. Later rows are dropped. */
  end?: number | string;
}

export interface RegularizeReport {
  rowsIn: number;
  rows: number;
  /** Grid hours that had no row and were inserted with every value missing. */
  hoursInserted: number;
  /** Rows merged into an hour that already had a row. */
  duplicateRowsMerged: number;
  /** Rows whose time was not on the hour (assigned to the hour that contains them). */
  offGridRows: number;
  /** Rows outside [start, end] that were dropped. */
  rowsOutside: number;
  start: number | null;
  end: number | null;
}

const MAX_GRID_HOURS = 5_000_000;

/**
 * Reindex to a complete hourly grid: each row goes to the hour containing its timestamp, rows in
 * the same hour are merged by `duplicates`, missing hours are inserted with every value null. The
 * output is sorted by time with exactly one row per hour.
 */
export function regularizeHourly(
  table: ColumnTable,
  options: RegularizeOptions = {},
): { table: ColumnTable; report: RegularizeReport } {
  const rule = options.duplicates ?? 'mean';
  if (!['mean', 'first', 'last'].includes(rule))
    throw new PreprocessingOptionError(
      'duplicates',
      `duplicates must be 'mean', 'first' or 'last' (got ${JSON.stringify(rule)}).`,
    );
  const ts = timestamps(table, 'hourly regularisation');
  const names = measureColumns(table);
  const cols = names.map((n) => numbers(table, n));
  const hasImputed = table.columnIndex(IMPUTED) >= 0;
  const hasClipped = table.columnIndex(CLIPPED) >= 0;
  const imputedIn = hasImputed ? flagLists(table, IMPUTED) : null;
  const clippedIn = hasClipped ? flagLists(table, CLIPPED) : null;
  const n = ts.length;

  let offGridRows = 0;
  const hours = ts.map((t) => {
    const h = Math.floor(t / HOUR_MS) * HOUR_MS;
    if (h !== t) offGridRows++;
    return h;
  });
  const [lo, hi] = extent(hours);
  const start = options.start !== undefined ? gridBound(options.start, 'start') : lo;
  const end = options.end !== undefined ? gridBound(options.end, 'end') : hi;
  if (start === null || end === null || end < start) {
    const empty: Record<string, unknown[]> = { [TIMESTAMP]: [] };
    for (const name of names) empty[name] = [];
    if (hasImputed) empty[IMPUTED] = [];
    if (hasClipped) empty[CLIPPED] = [];
    return {
      table: makeTable(empty),
      report: {
        rowsIn: n,
        rows: 0,
        hoursInserted: 0,
        duplicateRowsMerged: 0,
        offGridRows,
        rowsOutside: n,
        start: null,
        end: null,
      },
    };
  }
  const size = (end - start) / HOUR_MS + 1;
  if (size > MAX_GRID_HOURS)
    throw new TableShapeError(
      `The hourly grid from ${new Date(start).toISOString()} to ${new Date(end).toISOString()} would have ${size} rows (limit ${MAX_GRID_HOURS}); check the timestamps (epoch milliseconds, UTC).`,
    );

  const sum = cols.map(() => new Float64Array(size));
  const count = cols.map(() => new Uint32Array(size));
  const pick: NumCol[] = cols.map(() => new Array(size).fill(null));
  const rowsIn = new Uint32Array(size);
  const imputedOut: Set<string>[] | null = imputedIn ? Array.from({ length: size }, () => new Set()) : null;
  const clippedOut: Set<string>[] | null = clippedIn ? Array.from({ length: size }, () => new Set()) : null;
  let rowsOutside = 0;

  for (let i = 0; i < n; i++) {
    const h = hours[i];
    if (h < start || h > end) {
      rowsOutside++;
      continue;
    }
    const slot = (h - start) / HOUR_MS;
    rowsIn[slot]++;
    for (let k = 0; k < cols.length; k++) {
      const v = cols[k][i];
      if (v === null) continue;
      if (rule === 'mean') {
        sum[k][slot] += v;
        count[k][slot]++;
      } else if (rule === 'last' || pick[k][slot] === null) pick[k][slot] = v;
    }
    for (const c of imputedIn?.[i] ?? []) imputedOut![slot].add(c);
    for (const c of clippedIn?.[i] ?? []) clippedOut![slot].add(c);
  }

  const out: Record<string, unknown[]> = { [TIMESTAMP]: Array.from({ length: size }, (_, s) => start + s * HOUR_MS) };
  names.forEach((name, k) => {
    out[name] =
      rule === 'mean'
        ? Array.from({ length: size }, (_, s) => (count[k][s] ? sum[k][s] / count[k][s] : null))
        : pick[k];
  });
  if (imputedOut) out[IMPUTED] = imputedOut.map((s) => [...s]);
  if (clippedOut) out[CLIPPED] = clippedOut.map((s) => [...s]);
  let hoursInserted = 0;
  let duplicateRowsMerged = 0;
  for (let s = 0; s < size; s++) {
    if (rowsIn[s] === 0) hoursInserted++;
    else duplicateRowsMerged += rowsIn[s] - 1;
  }
  return {
    table: makeTable(out, [TIMESTAMP, ...names, ...(imputedOut ? [IMPUTED] : []), ...(clippedOut ? [CLIPPED] : [])]),
    report: { rowsIn: n, rows: size, hoursInserted, duplicateRowsMerged, offGridRows, rowsOutside, start, end },
  };
}

function extent(values: number[]): [number | null, number | null] {
  if (!values.length) return [null, null];
  let lo = values[0];
  let hi = values[0];
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

function gridBound(value: number | string, option: string): number {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms) || ms % HOUR_MS !== 0)
    throw new PreprocessingOptionError(
      option,
      `${option} must be a whole hour as epoch ms or ISO-8601 (got ${JSON.stringify(value)}).`,
    );
  return ms;
}

// ---------------------------------------------------------------------------------------------
// Missing-value report and sparse-column drop

export interface MissingInfo {
  column: string;
  missing: number;
  /** missing / rows (0 for an empty table). */
  share: number;
}

/** Missing count and share per measurement column (or the given columns). */
export function missingReport(table: ColumnTable, columns: string[] = measureColumns(table)): MissingInfo[] {
  const rows = table.numRows();
  return columns.map((column) => {
    const missing = numbers(table, column).reduce<number>((acc, v) => acc + (v === null ? 1 : 0), 0);
    return { column, missing, share: rows ? missing / rows : 0 };
  });
}

export interface DropSparseOptions {
  /** Drop a column when its missing share is strictly greater than this. Default 0.5. */
  maxMissingShare?: number;
  /** Columns never dropped, whatever their share. */
  keep?: string[];
}

export interface DropSparseReport {
  maxMissingShare: number;
  dropped: MissingInfo[];
  kept: MissingInfo[];
}

/** Drop measurement columns missing more than `maxMissingShare` of the rows (NMHC, ~90 % missing, goes by default). */
export function dropSparseColumns(
  table: ColumnTable,
  options: DropSparseOptions = {},
): { table: ColumnTable; report: DropSparseReport } {
  const maxMissingShare = options.maxMissingShare ?? 0.5;
  if (typeof maxMissingShare !== 'number' || !(maxMissingShare >= 0 && maxMissingShare <= 1)) {
    throw new PreprocessingOptionError(
      'maxMissingShare',
      `maxMissingShare must be a number from 0 to 1 (got ${JSON.stringify(maxMissingShare)}).`,
    );
  }
  const keep = new Set(options.keep ?? []);
  const info = missingReport(table);
  const dropped = info.filter((m) => m.share > maxMissingShare && !keep.has(m.column));
  const droppedNames = new Set(dropped.map((m) => m.column));
  const kept = info.filter((m) => !droppedNames.has(m.column));
  const result = droppedNames.size ? table.select(table.columnNames((n) => !droppedNames.has(n))).reify() : table;
  return { table: result as ColumnTable, report: { maxMissingShare, dropped, kept } };
}

// ---------------------------------------------------------------------------------------------
// Domain clipping (physical units)

/** Per-column clipping ranges; `null` switches clipping off for that column. */
export type ClipRanges = Record<string, Range | null | undefined>;

export interface ClipOptions {
  /** Ranges merged over the defaults (CO 0.5–5 mg/m³, NOx 5–100 ppb, NO2 0–200 µg/m³, benzene 0.5–10 µg/m³). */
  ranges?: ClipRanges;
  /** Start from the catalogue defaults (true, default) or from no ranges at all (false). */
  defaults?: boolean;
  /** `clamp` (default): move out-of-range values to the nearest bound. `missing`: set them to null (impute later). */
  mode?: 'clamp' | 'missing';
}

export interface ClipCount {
  /** Values below min. */
  low: number;
  /** Values above max. */
  high: number;
}

export interface ClipReport {
  mode: 'clamp' | 'missing';
  ranges: Record<string, Range>;
  counts: Record<string, ClipCount>;
}

/** The effective ranges: catalogue defaults (unless `defaults: false`) overridden by `ranges`; validated. */
export function resolveClipRanges(options: Pick<ClipOptions, 'ranges' | 'defaults'> = {}): Record<string, Range> {
  const merged: ClipRanges = { ...(options.defaults === false ? {} : defaultClipRanges()), ...(options.ranges ?? {}) };
  const out: Record<string, Range> = {};
  for (const [column, range] of Object.entries(merged)) {
    if (range === null || range === undefined) continue;
    const { min, max } = range;
    const bad = (v: unknown) => v !== undefined && (typeof v !== 'number' || !Number.isFinite(v));
    if (bad(min) || bad(max) || (min !== undefined && max !== undefined && min > max)) {
      throw new PreprocessingOptionError(
        `ranges.${column}`,
        `The clipping range of ${column} must be {min?, max?} with finite numbers and min <= max (got ${JSON.stringify(range)}).`,
      );
    }
    out[column] = { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
  }
  return out;
}

/**
 * Clip measurement columns to physical ranges (in their own units, before any scaling). Missing
 * values stay missing. Each clipped cell's column id is added to the row's `clipped` list.
 * Ranges for columns absent from the table are ignored.
 */
export function clipToRanges(
  table: ColumnTable,
  options: ClipOptions = {},
): { table: ColumnTable; report: ClipReport } {
  const mode = options.mode ?? 'clamp';
  if (mode !== 'clamp' && mode !== 'missing')
    throw new PreprocessingOptionError('mode', `mode must be 'clamp' or 'missing' (got ${JSON.stringify(mode)}).`);
  const ranges = resolveClipRanges(options);
  const present = Object.keys(ranges).filter((c) => table.columnIndex(c) >= 0);
  const clipped = flagLists(table, CLIPPED);
  const replace: Record<string, unknown[]> = {};
  const counts: Record<string, ClipCount> = {};
  for (const column of present) {
    const { min = -Infinity, max = Infinity } = ranges[column];
    const values = numbers(table, column);
    const count = { low: 0, high: 0 };
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null) continue;
      if (v < min || v > max) {
        if (v < min) count.low++;
        else count.high++;
        values[i] = mode === 'missing' ? null : v < min ? min : max;
        clipped[i].push(column);
      }
    }
    replace[column] = values;
    counts[column] = count;
  }
  replace[CLIPPED] = clipped;
  return {
    table: withColumns(table, replace),
    report: { mode, ranges: Object.fromEntries(present.map((c) => [c, ranges[c]])), counts },
  };
}

// ---------------------------------------------------------------------------------------------
// Imputation

export type ImputeStrategy = 'mean' | 'interpolate' | 'ffill';

export interface ImputeOptions {
  /**
   * `mean` (default, the prototype): the column's mean over its non-missing values.
   * `interpolate`: linear in time between the nearest valid values before and after.
   * `ffill`: the last valid value before.
   */
  strategy?: ImputeStrategy;
  /**
   * Missing values before the first / after the last valid value, which `interpolate` and
   * `ffill` cannot bracket: `nearest` (default) fills them with the nearest valid value;
   * `leave` keeps them missing. Ignored by `mean`.
   */
  edges?: 'nearest' | 'leave';
  /** Columns to impute; default every measurement column. */
  columns?: string[];
}

export interface ImputeReport {
  strategy: ImputeStrategy;
  /** Cells filled per column. */
  imputed: Record<string, number>;
  /** Cells still missing per column (an all-missing column, or edges with `edges: 'leave'`). */
  unfilled: Record<string, number>;
  /** For `mean`: the value used per column (null when the column has no valid value). */
  fillValues?: Record<string, number | null>;
}

const STRATEGIES: readonly ImputeStrategy[] = ['mean', 'interpolate', 'ffill'];

/** Fill missing values; each imputed cell's column id is added to the row's `imputed` list. */
export function impute(table: ColumnTable, options: ImputeOptions = {}): { table: ColumnTable; report: ImputeReport } {
  const strategy = options.strategy ?? 'mean';
  if (!STRATEGIES.includes(strategy))
    throw new PreprocessingOptionError(
      'strategy',
      `strategy must be one of ${STRATEGIES.join(', ')} (got ${JSON.stringify(strategy)}).`,
    );
  const edges = options.edges ?? 'nearest';
  if (edges !== 'nearest' && edges !== 'leave')
    throw new PreprocessingOptionError('edges', `edges must be 'nearest' or 'leave' (got ${JSON.stringify(edges)}).`);
  const columns = options.columns ?? measureColumns(table);
  for (const c of columns) requireColumn(table, c, 'imputation');
  const ts = strategy === 'interpolate' ? timestamps(table, "the 'interpolate' strategy") : null;
  if (ts)
    for (let i = 1; i < ts.length; i++)
      if (ts[i] <= ts[i - 1])
        throw new TableShapeError(
          `The 'interpolate' strategy needs rows sorted by strictly increasing timestamp (row ${i} is not); run regularizeHourly first.`,
        );

  const flags = flagLists(table, IMPUTED);
  const replace: Record<string, unknown[]> = {};
  const imputed: Record<string, number> = {};
  const unfilled: Record<string, number> = {};
  const fillValues: Record<string, number | null> = {};
  for (const column of columns) {
    const values = numbers(table, column);
    const filled =
      strategy === 'mean'
        ? fillMean(values, (m) => (fillValues[column] = m))
        : strategy === 'ffill'
          ? fillForward(values, edges)
          : fillLinear(values, ts!, edges);
    let nImputed = 0;
    let nUnfilled = 0;
    for (let i = 0; i < values.length; i++) {
      if (values[i] !== null) continue;
      if (filled[i] === null) nUnfilled++;
      else {
        nImputed++;
        flags[i].push(column);
      }
    }
    replace[column] = filled;
    imputed[column] = nImputed;
    unfilled[column] = nUnfilled;
  }
  replace[IMPUTED] = flags;
  const report: ImputeReport = { strategy, imputed, unfilled, ...(strategy === 'mean' ? { fillValues } : {}) };
  return { table: withColumns(table, replace), report };
}

/** Mean of the non-missing values, or null when there are none. */
export function meanOf(values: NumCol): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length ? mean(present) : null;
}

function fillMean(values: NumCol, report: (mean: number | null) => void): NumCol {
  const fill = meanOf(values);
  report(fill);
  return values.map((v) => (v === null ? fill : v));
}

function fillForward(values: NumCol, edges: 'nearest' | 'leave'): NumCol {
  const out = values.slice();
  let last: number | null = null;
  for (let i = 0; i < out.length; i++) {
    if (out[i] === null) out[i] = last;
    else last = out[i];
  }
  if (edges === 'nearest') {
    const first = values.findIndex((v) => v !== null);
    for (let i = 0; i < first; i++) out[i] = values[first];
  }
  return out;
}

function fillLinear(values: NumCol, ts: number[], edges: 'nearest' | 'leave'): NumCol {
  const out = values.slice();
  let prev = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null) continue;
    if (prev >= 0 && i - prev > 1) {
      const y0 = values[prev] as number;
      const t0 = ts[prev];
      const span = ts[i] - t0;
      for (let j = prev + 1; j < i; j++) out[j] = y0 + ((v - y0) * (ts[j] - t0)) / span;
    }
    prev = i;
  }
  if (edges === 'nearest' && prev >= 0) {
    const first = values.findIndex((v) => v !== null);
    for (let i = 0; i < first; i++) out[i] = values[first];
    for (let i = prev + 1; i < values.length; i++) out[i] = values[prev];
  }
  return out;
}

/** Rows where every listed measurement column is missing. */
export function countAllMissingRows(
  table: ColumnTable,
  columns: string[] = COLUMNS.map((c) => c.id).filter((c) => table.columnIndex(c) >= 0),
): number {
  const cols = columns.map((c) => numbers(table, c));
  let n = 0;
  for (let i = 0; i < table.numRows(); i++) if (cols.every((col) => col[i] === null)) n++;
  return n;
}
