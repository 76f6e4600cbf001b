/**
 * Forecasting features: lags, EMAs, rolling OLS slopes, lag-1 interactions and calendar terms.
 *
 * One kernel, two uses. The online window (`createFeatureWindow` + `pushReading`) is a small
 * JSON-serialisable state per station; each pushed hour advances it by one step and yields the
 * feature row of that hour. The offline builder (`buildFeatures`) is literally that same step
 * folded over a table's rows, so training and inference features cannot diverge.
 *
 * Missing-value rule (a missing input never becomes 0):
 * - `<c>_lag<k>` is null when the value k hours earlier is missing (or before the history starts).
 * - `<c>_slope<w>` is null unless all w hourly values of the window are present
 *   (like pandas `rolling(w).apply(...)` with its default min_periods = w).
 * - `<a>_lag1_x_<b>_lag1` is null when either lag-1 value is missing.
 * - `<c>_lag<a>_minus_lag<b>` is null when either lag is missing.
 * - `<c>_ema<s>` follows pandas `ewm(span=s, adjust=False).mean()` (ignore_na=False): null until
 *   the column's first valid value; a missing hour leaves the average unchanged but decays the
 *   weight of the past, so the next valid value counts more. With `emaMaxGap: g`, the EMA is
 *   null once more than g consecutive hours are missing and restarts at the next valid value.
 * - Calendar features never depend on readings and are always present.
 * Hours skipped between two pushed readings count as hours with every value missing.
 */
import { COLUMN_IDS, TIMESTAMP } from './catalogue';
import { FeatureWindowError, TableShapeError } from './errors';
import { HOUR_MS, makeTable, numbers, timestamps, toEpochMs, type ColumnTable } from './table';

export interface FeatureSpec {
  /** Columns that get lag / EMA / slope features. Default: the 12 measurement columns without nmhc_gt. */
  columns?: string[];
  /** Include the current hour's value as `<c>_lag0`. Default true. */
  current?: boolean;
  /** Lags in hours (integers ≥ 1). Default [1, 2, 3, 6, 12, 24]. */
  lags?: number[];
  /** EMA spans in hours (integers ≥ 1; alpha = 2 / (span + 1)). Default [3, 6, 12, 24]. */
  emaSpans?: number[];
  /** Longest run of missing hours an EMA bridges (integer ≥ 0), or null for no limit (pandas). Default null. */
  emaMaxGap?: number | null;
  /** Windows in hours for rolling OLS slopes (integers ≥ 2), slope per hour. Default [6, 12, 24]. */
  slopeWindows?: number[];
  /** Pairs whose lag-1 values are multiplied. Default: all pairs of co_gt, c6h6_gt, nox_gt, no2_gt. */
  interactions?: [string, string][];
  /**
   * [column, a, b] gives `<column>_lag<a>_minus_lag<b>`, the change between two lags (integers, 0 ≤ a < b), e.g.
   * [co_gt, 23, 24]: the change a day before the next hour. Trees cannot form a difference of two features themselves. Default [].
   */
  lagDifferences?: [string, number, number][];
  /** Hour-of-day and day-of-week sin/cos (UTC) and a weekend flag. Default true. */
  calendar?: boolean;
}

export type ResolvedFeatureSpec = Required<FeatureSpec> & { version: 1 };

export const DEFAULT_FEATURE_COLUMNS: readonly string[] = COLUMN_IDS.filter((c) => c !== 'nmhc_gt');
export const DEFAULT_INTERACTION_COLUMNS: readonly string[] = ['co_gt', 'c6h6_gt', 'nox_gt', 'no2_gt'];

/** All unordered pairs of the given columns, in order: (a,b), (a,c), …, (b,c), … */
export function allPairs(columns: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < columns.length; i++)
    for (let j = i + 1; j < columns.length; j++) out.push([columns[i], columns[j]]);
  return out;
}

export const DEFAULT_FEATURE_SPEC: Readonly<ResolvedFeatureSpec> = Object.freeze({
  version: 1,
  columns: [...DEFAULT_FEATURE_COLUMNS],
  current: true,
  lags: [1, 2, 3, 6, 12, 24],
  emaSpans: [3, 6, 12, 24],
  emaMaxGap: null,
  slopeWindows: [6, 12, 24],
  interactions: allPairs(DEFAULT_INTERACTION_COLUMNS),
  lagDifferences: [],
  calendar: true,
});

const CALENDAR_NAMES = ['hour_sin', 'hour_cos', 'dow_sin', 'dow_cos', 'is_weekend'] as const;

/** Fill defaults and validate; lags/spans/windows are sorted and de-duplicated. */
export function resolveFeatureSpec(spec: FeatureSpec | ResolvedFeatureSpec = {}): ResolvedFeatureSpec {
  const d = DEFAULT_FEATURE_SPEC;
  const bad = (option: string, message: string) =>
    new FeatureWindowError('BAD_SPEC', `Feature spec ${option}: ${message}`);
  const ints = (option: string, values: unknown, min: number): number[] => {
    if (!Array.isArray(values) || values.some((v) => !Number.isInteger(v) || (v as number) < min))
      throw bad(option, `must be a list of integers ≥ ${min} (got ${JSON.stringify(values)}).`);
    return [...new Set(values as number[])].sort((a, b) => a - b);
  };
  const columns = spec.columns ?? [...d.columns];
  if (
    !Array.isArray(columns) ||
    columns.some((c) => typeof c !== 'string' || c === '' || c === TIMESTAMP) ||
    new Set(columns).size !== columns.length
  ) {
    throw bad(
      'columns',
      `must be distinct non-empty column names other than "${TIMESTAMP}" (got ${JSON.stringify(columns)}).`,
    );
  }
  const interactions = spec.interactions ?? d.interactions.map((p) => [...p] as [string, string]);
  if (
    !Array.isArray(interactions) ||
    interactions.some(
      (p) => !Array.isArray(p) || p.length !== 2 || p.some((c) => typeof c !== 'string' || c === '' || c === TIMESTAMP),
    )
  ) {
    throw bad('interactions', `must be a list of [columnA, columnB] pairs (got ${JSON.stringify(interactions)}).`);
  }
  const lagDifferences = spec.lagDifferences ?? [];
  if (
    !Array.isArray(lagDifferences) ||
    lagDifferences.some(
      (d) =>
        !Array.isArray(d) ||
        d.length !== 3 ||
        typeof d[0] !== 'string' ||
        d[0] === '' ||
        d[0] === TIMESTAMP ||
        !Number.isInteger(d[1]) ||
        !Number.isInteger(d[2]) ||
        d[1] < 0 ||
        d[2] <= d[1],
    )
  ) {
    throw bad(
      'lagDifferences',
      `must be a list of [column, a, b] with integers 0 ≤ a < b (got ${JSON.stringify(lagDifferences)}).`,
    );
  }
  const emaMaxGap = spec.emaMaxGap === undefined ? d.emaMaxGap : spec.emaMaxGap;
  if (emaMaxGap !== null && (!Number.isInteger(emaMaxGap) || emaMaxGap < 0))
    throw bad('emaMaxGap', `must be null or an integer ≥ 0 (got ${JSON.stringify(emaMaxGap)}).`);
  const bool = (option: string, v: unknown, dflt: boolean): boolean => {
    if (v === undefined) return dflt;
    if (typeof v !== 'boolean') throw bad(option, `must be true or false (got ${JSON.stringify(v)}).`);
    return v;
  };
  return {
    version: 1,
    columns: [...columns],
    current: bool('current', spec.current, d.current),
    lags: ints('lags', spec.lags ?? d.lags, 1),
    emaSpans: ints('emaSpans', spec.emaSpans ?? d.emaSpans, 1),
    emaMaxGap,
    slopeWindows: ints('slopeWindows', spec.slopeWindows ?? d.slopeWindows, 2),
    interactions: interactions.map(([a, b]) => [a, b]),
    lagDifferences: lagDifferences.map(([c, a, b]) => [c, a, b]),
    calendar: bool('calendar', spec.calendar, d.calendar),
  };
}

/** The ordered feature names for a spec: per column [lag0, lags…, emas…, slopes…], then interactions, then calendar. */
export function featureNames(spec: FeatureSpec = {}): string[] {
  const s = resolveFeatureSpec(spec);
  const names: string[] = [];
  for (const c of s.columns) {
    if (s.current) names.push(`${c}_lag0`);
    for (const k of s.lags) names.push(`${c}_lag${k}`);
    for (const span of s.emaSpans) names.push(`${c}_ema${span}`);
    for (const w of s.slopeWindows) names.push(`${c}_slope${w}`);
  }
  for (const [a, b] of s.interactions) names.push(`${a}_lag1_x_${b}_lag1`);
  for (const [c, a, b] of s.lagDifferences) names.push(`${c}_lag${a}_minus_lag${b}`);
  if (s.calendar) names.push(...CALENDAR_NAMES);
  return names;
}

/** The input columns a spec reads: its columns, then any extra interaction columns. */
export function featureInputs(spec: FeatureSpec = {}): string[] {
  const s = resolveFeatureSpec(spec);
  const inputs = [...s.columns];
  for (const pair of s.interactions) for (const c of pair) if (!inputs.includes(c)) inputs.push(c);
  for (const [c] of s.lagDifferences) if (!inputs.includes(c)) inputs.push(c);
  return inputs;
}

// ---------------------------------------------------------------------------------------------
// Window state

export interface EmaState {
  /** Current average, null before the first valid value (or after a gap longer than emaMaxGap). */
  value: number | null;
  /** pandas' old_wt: weight of the past relative to a new value's alpha. */
  weight: number;
}

/** JSON-serialisable online state of one station. */
export interface FeatureWindowState {
  version: 1;
  spec: ResolvedFeatureSpec;
  /** Epoch ms of the latest hour stepped, null before the first reading. */
  lastTimestamp: number | null;
  /** Per input column, its last `length` hourly values, oldest first (null = missing / before history). */
  history: Record<string, (number | null)[]>;
  /** Per column, one EMA state per span (spec order). */
  ema: Record<string, EmaState[]>;
  /** Per column: consecutive missing hours up to the latest hour (0 = latest valid; null = never valid). */
  missingRun: Record<string, number | null>;
}

/** A reading for one hour: time (epoch ms or ISO-8601 with zone, on the hour) and values by column id. */
export interface Reading {
  timestamp: number | string;
  values: Record<string, number | null | undefined>;
}

/** The features of one hour, aligned with `featureNames(spec)`. */
export interface FeatureRow {
  timestamp: number;
  values: (number | null)[];
}

const historyLength = (s: ResolvedFeatureSpec): number =>
  Math.max(
    0,
    ...s.lags,
    ...s.slopeWindows.map((w) => w - 1),
    ...s.lagDifferences.map(([, , b]) => b),
    s.interactions.length ? 1 : 0,
  ) + 1;

/** A fresh window for a spec (defaults filled). */
export function createFeatureWindow(spec: FeatureSpec = {}): FeatureWindowState {
  const s = resolveFeatureSpec(spec);
  const length = historyLength(s);
  const inputs = featureInputs(s);
  return {
    version: 1,
    spec: s,
    lastTimestamp: null,
    history: Object.fromEntries(inputs.map((c) => [c, new Array<number | null>(length).fill(null)])),
    ema: Object.fromEntries(s.columns.map((c) => [c, s.emaSpans.map(() => ({ value: null, weight: 1 }))])),
    missingRun: Object.fromEntries(s.columns.map((c) => [c, null])),
  };
}

/** A deep copy (the state is plain JSON data). */
export function cloneFeatureWindow(state: FeatureWindowState): FeatureWindowState {
  return {
    version: 1,
    spec: resolveFeatureSpec(state.spec),
    lastTimestamp: state.lastTimestamp,
    history: Object.fromEntries(Object.entries(state.history).map(([c, h]) => [c, [...h]])),
    ema: Object.fromEntries(Object.entries(state.ema).map(([c, e]) => [c, e.map((x) => ({ ...x }))])),
    missingRun: { ...state.missingRun },
  };
}

/**
 * Online step: push the reading of the next hour and get that hour's feature row. Pure: returns
 * a new state. Hours skipped since the last reading are treated as hours with every value
 * missing. A reading at or before the latest hour throws FeatureWindowError('OUT_OF_ORDER').
 */
export function pushReading(
  state: FeatureWindowState,
  reading: Reading,
): { state: FeatureWindowState; features: FeatureRow } {
  const next = ownFeatureWindow(state);
  return { state: next, features: pushReadingInPlace(next, reading) };
}

/** A checked deep copy of a window that the caller then advances with {@link pushReadingInPlace}. */
export function ownFeatureWindow(state: FeatureWindowState): FeatureWindowState {
  checkState(state);
  return cloneFeatureWindow(state);
}

/**
 * pushReading without its check and copy, for many readings in a row: advances `state` itself, which must come
 * from ownFeatureWindow or createFeatureWindow. A reading it refuses (NOT_HOURLY, OUT_OF_ORDER) leaves it unchanged.
 */
export function pushReadingInPlace(state: FeatureWindowState, reading: Reading): FeatureRow {
  return step(state, toEpochMs(reading.timestamp), reading.values);
}

/** The feature row as an object keyed by feature name (plus `timestamp` as ISO-8601). */
export function featureRowToObject(spec: FeatureSpec, row: FeatureRow): Record<string, number | null | string> {
  const out: Record<string, number | null | string> = { timestamp: new Date(row.timestamp).toISOString() };
  featureNames(spec).forEach((n, i) => {
    out[n] = row.values[i];
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Offline: the same step folded over a table

export interface BuildFeaturesResult {
  /** `timestamp` plus one column per feature name, one row per input row. */
  table: ColumnTable;
  /** Window state after the last row: continue online from here. */
  state: FeatureWindowState;
  names: string[];
}

/**
 * Features for every row of a table (rows sorted by strictly increasing, whole-hour `timestamp`;
 * gaps allowed). Starts from a fresh window for `spec`, or continues from a given window state.
 */
export function buildFeaturesWithState(
  table: ColumnTable,
  specOrState: FeatureSpec | FeatureWindowState = {},
): BuildFeaturesResult {
  if (isWindowState(specOrState)) checkState(specOrState);
  const state = isWindowState(specOrState) ? cloneFeatureWindow(specOrState) : createFeatureWindow(specOrState);
  const ts = timestamps(table, 'feature building');
  const inputs = Object.keys(state.history);
  const cols = inputs.map((c) => {
    if (table.columnIndex(c) < 0)
      throw new TableShapeError(
        `Feature building needs column "${c}" (from the feature spec), which the table lacks. Columns present: ${table.columnNames().join(', ')}.`,
      );
    return numbers(table, c);
  });
  const names = featureNames(state.spec);
  const out: (number | null)[][] = names.map(() => new Array(ts.length));
  const values: Record<string, number | null> = {};
  for (let i = 0; i < ts.length; i++) {
    for (let k = 0; k < inputs.length; k++) values[inputs[k]] = cols[k][i];
    const row = step(state, ts[i], values);
    for (let f = 0; f < names.length; f++) out[f][i] = row.values[f];
  }
  const columns: Record<string, unknown[]> = { [TIMESTAMP]: ts.slice() };
  names.forEach((n, f) => {
    columns[n] = out[f];
  });
  return { table: makeTable(columns, [TIMESTAMP, ...names]), state, names };
}

/** Features for every row of a table (see {@link buildFeaturesWithState}). */
export function buildFeatures(table: ColumnTable, spec: FeatureSpec = {}): ColumnTable {
  return buildFeaturesWithState(table, spec).table;
}

/** Warm a window with a history table (e.g. the last day of a station) without keeping the rows. */
export function foldFeatureWindow(
  table: ColumnTable,
  specOrState: FeatureSpec | FeatureWindowState = {},
): FeatureWindowState {
  return buildFeaturesWithState(table, specOrState).state;
}

// ---------------------------------------------------------------------------------------------
// The kernel

/** Advance `state` in place to hour `ts` (filling skipped hours with missing values) and emit its features. */
function step(state: FeatureWindowState, ts: number, values: Record<string, number | null | undefined>): FeatureRow {
  if (!Number.isFinite(ts) || ts % HOUR_MS !== 0) {
    throw new FeatureWindowError(
      'NOT_HOURLY',
      `Reading time ${Number.isFinite(ts) ? new Date(ts).toISOString() : ts} is not on a whole hour; features are hourly (regularise first).`,
    );
  }
  if (state.lastTimestamp !== null) {
    if (ts <= state.lastTimestamp) {
      throw new FeatureWindowError(
        'OUT_OF_ORDER',
        `Reading for ${new Date(ts).toISOString()} is not after the window's latest hour ${new Date(state.lastTimestamp).toISOString()}; readings must be pushed in increasing time order (drop duplicates and late readings first).`,
      );
    }
    const skipped = (ts - state.lastTimestamp) / HOUR_MS - 1;
    if (skipped > 0) skipHours(state, skipped);
  }
  advance(state, values);
  state.lastTimestamp = ts;
  return { timestamp: ts, values: emit(state, ts) };
}

/** A reading value as number or null (NaN, ±Infinity, undefined → null; -0 → 0 so that a JSON round trip of the state changes nothing). */
const finiteOrNull = (v: unknown): number | null =>
  typeof v === 'number' && Number.isFinite(v) ? (v === 0 ? 0 : v) : null;

/** One hour of input: shift histories, update EMAs and missing runs. */
function advance(state: FeatureWindowState, values: Record<string, number | null | undefined>): void {
  for (const c in state.history) {
    const h = state.history[c];
    h.shift();
    h.push(finiteOrNull(values[c]));
  }
  const { emaSpans, emaMaxGap } = state.spec;
  for (const c of state.spec.columns) {
    const x = finiteOrNull(values[c]);
    const run = state.missingRun[c];
    const emas = state.ema[c];
    const restart = x !== null && emaMaxGap !== null && run !== null && run > emaMaxGap;
    for (let j = 0; j < emas.length; j++) {
      const e = emas[j];
      const alpha = 2 / (emaSpans[j] + 1);
      if (e.value === null || restart) {
        if (x !== null) {
          e.value = x;
          e.weight = 1;
        }
        continue;
      }
      // pandas ewm(adjust=False, ignore_na=False): the old weight decays every hour, observed or not.
      e.weight *= 1 - alpha;
      if (x !== null) {
        if (e.value !== x) e.value = (e.weight * e.value + alpha * x) / (e.weight + alpha);
        e.weight = 1;
      }
    }
    state.missingRun[c] = x !== null ? 0 : run === null ? null : run + 1;
  }
}

/** `hours` hours with every value missing; equivalent to that many advance(…{}) calls, but O(history) for long gaps. */
function skipHours(state: FeatureWindowState, hours: number): void {
  const length = Object.values(state.history)[0]?.length ?? 0;
  if (hours <= length) {
    for (let i = 0; i < hours; i++) advance(state, {});
    return;
  }
  for (const c in state.history) state.history[c].fill(null);
  const { emaSpans } = state.spec;
  for (const c of state.spec.columns) {
    state.ema[c].forEach((e, j) => {
      if (e.value === null) return;
      const factor = 1 - 2 / (emaSpans[j] + 1);
      // Repeated multiplication, exactly as `hours` single steps would do (stops once it underflows to 0).
      for (let i = 0; i < hours && e.weight !== 0; i++) e.weight *= factor;
    });
    const run = state.missingRun[c];
    state.missingRun[c] = run === null ? null : run + hours;
  }
}

function emit(state: FeatureWindowState, ts: number): (number | null)[] {
  const s = state.spec;
  const L = historyLength(s);
  const out: (number | null)[] = [];
  for (const c of s.columns) {
    const h = state.history[c];
    if (s.current) out.push(h[L - 1]);
    for (const k of s.lags) out.push(h[L - 1 - k]);
    const stale = s.emaMaxGap !== null && (state.missingRun[c] ?? 0) > s.emaMaxGap;
    for (const e of state.ema[c]) out.push(stale ? null : e.value);
    for (const w of s.slopeWindows) out.push(olsSlope(h, L - w, w));
  }
  for (const [a, b] of s.interactions) {
    const x = state.history[a][L - 2];
    const y = state.history[b][L - 2];
    out.push(x === null || y === null ? null : x * y);
  }
  for (const [c, a, b] of s.lagDifferences) {
    const x = state.history[c][L - 1 - a];
    const y = state.history[c][L - 1 - b];
    out.push(x === null || y === null ? null : x - y);
  }
  if (s.calendar) {
    const date = new Date(ts);
    const hour = date.getUTCHours();
    const dow = (date.getUTCDay() + 6) % 7; // Monday = 0 … Sunday = 6, like pandas dayofweek
    out.push(
      Math.sin((2 * Math.PI * hour) / 24),
      Math.cos((2 * Math.PI * hour) / 24),
      Math.sin((2 * Math.PI * dow) / 7),
      Math.cos((2 * Math.PI * dow) / 7),
      dow >= 5 ? 1 : 0,
    );
  }
  return out;
}

/** OLS slope of h[from … from+w-1] against 0 … w-1 (per hour); null if any value is missing. */
function olsSlope(h: (number | null)[], from: number, w: number): number | null {
  const centre = (w - 1) / 2;
  let sxy = 0;
  for (let i = 0; i < w; i++) {
    const y = h[from + i];
    if (y === null) return null;
    sxy += (i - centre) * y;
  }
  return sxy / ((w * (w * w - 1)) / 12);
}

function isWindowState(x: FeatureSpec | FeatureWindowState): x is FeatureWindowState {
  return (
    (x as FeatureWindowState).version === 1 &&
    typeof (x as FeatureWindowState).history === 'object' &&
    (x as FeatureWindowState).history !== null
  );
}

function checkState(state: FeatureWindowState): void {
  const fail = (why: string) =>
    new FeatureWindowError(
      'BAD_STATE',
      `Not a feature window state (${why}); create one with createFeatureWindow(spec) and keep what pushReading returns.`,
    );
  if (!state || typeof state !== 'object' || state.version !== 1) throw fail('version must be 1');
  if (!state.spec || !state.history || !state.ema || !state.missingRun)
    throw fail('spec, history, ema or missingRun is missing');
  const s = resolveFeatureSpec(state.spec);
  const length = historyLength(s);
  for (const c of featureInputs(s))
    if (!Array.isArray(state.history[c]) || state.history[c].length !== length)
      throw fail(`history of "${c}" must hold ${length} values`);
  for (const c of s.columns) {
    if (!Array.isArray(state.ema[c]) || state.ema[c].length !== s.emaSpans.length)
      throw fail(`ema of "${c}" must hold ${s.emaSpans.length} entries`);
    if (!(c in state.missingRun)) throw fail(`missingRun of "${c}" is missing`);
  }
  if (state.lastTimestamp !== null && !Number.isFinite(state.lastTimestamp))
    throw fail('lastTimestamp must be epoch ms or null');
}

/** A stable string for a spec (defaults filled), e.g. to check that a stored window matches a model's spec. */
export function featureSpecKey(spec: FeatureSpec = {}): string {
  return JSON.stringify(resolveFeatureSpec(spec));
}

// ---------------------------------------------------------------------------------------------
// Helpers for training

/** Name of a forecast target column: the value of `column` `horizon` hours after the row's hour. */
export const targetName = (column: string, horizon: number): string => `${column}_h${horizon}`;

/**
 * For each row, the value of `column` at the row's time + `horizon` hours (looked up by timestamp,
 * so gaps are honoured), or null when that hour is absent or missing.
 */
export function forecastTarget(table: ColumnTable, column: string, horizon: number): (number | null)[] {
  if (!Number.isInteger(horizon) || horizon < 1)
    throw new FeatureWindowError('BAD_SPEC', `horizon must be an integer ≥ 1 hour (got ${JSON.stringify(horizon)}).`);
  const ts = timestamps(table, 'forecast targets');
  const values = numbers(table, column);
  const at = new Map<number, number | null>();
  ts.forEach((t, i) => {
    at.set(t, values[i]);
  });
  return ts.map((t) => at.get(t + horizon * HOUR_MS) ?? null);
}

/** The feature columns as a row-major Float64Array with NaN for missing (the layout ONNX / tree libraries take). */
export function toFeatureMatrix(
  table: ColumnTable,
  names: string[],
): { data: Float64Array; rows: number; cols: number } {
  const rows = table.numRows();
  const cols = names.length;
  const data = new Float64Array(rows * cols);
  names.forEach((n, j) => {
    const col = numbers(table, n);
    for (let i = 0; i < rows; i++) data[i * cols + j] = col[i] ?? NaN;
  });
  return { data, rows, cols };
}
