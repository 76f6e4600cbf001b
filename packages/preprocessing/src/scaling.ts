/**
 * Fitted scalers with JSON-serialisable parameters: min-max to [0, 1] and z-score. Fit on one
 * table (training data), apply to any other; store the parameters with the model or report.
 * Missing values stay missing. A constant column (max = min, or std = 0) maps to 0, never NaN,
 * and inverts back to its constant. A column with no valid value has null parameters and stays null.
 */
import { PreprocessingOptionError, TableShapeError } from './errors';
import { mean, standardDeviation } from 'simple-statistics';
import { measureColumns, numbers, withColumns, type ColumnTable, type NumCol } from './table';

export interface MinMaxColumn {
  min: number;
  max: number;
}

export interface MinMaxParams {
  kind: 'minmax';
  columns: Record<string, MinMaxColumn | null>;
}

export interface ZScoreColumn {
  mean: number;
  /** Population standard deviation (ddof 0, like scikit-learn's StandardScaler). */
  std: number;
}

export interface ZScoreParams {
  kind: 'zscore';
  columns: Record<string, ZScoreColumn | null>;
}

export type ScalerParams = MinMaxParams | ZScoreParams;

/** Fit min-max parameters on the given columns (default every measurement column). */
export function fitMinMax(table: ColumnTable, columns: string[] = measureColumns(table)): MinMaxParams {
  const out: Record<string, MinMaxColumn | null> = {};
  for (const column of columns) {
    let min = Infinity;
    let max = -Infinity;
    for (const v of numbers(table, column)) {
      if (v === null) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    out[column] = min <= max ? { min, max } : null;
  }
  return { kind: 'minmax', columns: out };
}

/** Scale one value: (v − min) / (max − min); 0 for a constant column; null stays null. */
export function minMaxValue(v: number | null, p: MinMaxColumn | null): number | null {
  if (v === null || p === null) return null;
  const range = p.max - p.min;
  return range > 0 ? (v - p.min) / range : 0;
}

/** Undo {@link minMaxValue}: v · (max − min) + min; a constant column returns its constant. */
export function invertMinMaxValue(v: number | null, p: MinMaxColumn | null): number | null {
  if (v === null || p === null) return null;
  const range = p.max - p.min;
  return range > 0 ? v * range + p.min : p.min;
}

export function applyMinMax(table: ColumnTable, params: MinMaxParams): ColumnTable {
  checkKind(params, 'minmax');
  return mapColumns(table, params.columns, minMaxValue);
}

export function invertMinMax(table: ColumnTable, params: MinMaxParams): ColumnTable {
  checkKind(params, 'minmax');
  return mapColumns(table, params.columns, invertMinMaxValue);
}

/** Fit z-score parameters (mean, population std) on the given columns. */
export function fitZScore(table: ColumnTable, columns: string[] = measureColumns(table)): ZScoreParams {
  const out: Record<string, ZScoreColumn | null> = {};
  for (const column of columns) {
    const values = numbers(table, column).filter((v): v is number => v !== null);
    if (!values.length) {
      out[column] = null;
      continue;
    }
    out[column] = { mean: mean(values), std: standardDeviation(values) };
  }
  return { kind: 'zscore', columns: out };
}

export function zScoreValue(v: number | null, p: ZScoreColumn | null): number | null {
  if (v === null || p === null) return null;
  return p.std > 0 ? (v - p.mean) / p.std : 0;
}

export function invertZScoreValue(v: number | null, p: ZScoreColumn | null): number | null {
  if (v === null || p === null) return null;
  return p.std > 0 ? v * p.std + p.mean : p.mean;
}

export function applyZScore(table: ColumnTable, params: ZScoreParams): ColumnTable {
  checkKind(params, 'zscore');
  return mapColumns(table, params.columns, zScoreValue);
}

export function invertZScore(table: ColumnTable, params: ZScoreParams): ColumnTable {
  checkKind(params, 'zscore');
  return mapColumns(table, params.columns, invertZScoreValue);
}

/** Apply either kind of fitted parameters. */
export function applyScaler(table: ColumnTable, params: ScalerParams): ColumnTable {
  return params.kind === 'minmax' ? applyMinMax(table, params) : applyZScore(table, params);
}

/** Invert either kind of fitted parameters. */
export function invertScaler(table: ColumnTable, params: ScalerParams): ColumnTable {
  return params.kind === 'minmax' ? invertMinMax(table, params) : invertZScore(table, params);
}

function checkKind(params: ScalerParams, kind: ScalerParams['kind']): void {
  if (!params || params.kind !== kind || typeof params.columns !== 'object') {
    throw new PreprocessingOptionError(
      'params',
      `Expected ${kind} parameters from fit${kind === 'minmax' ? 'MinMax' : 'ZScore'} ({ kind: '${kind}', columns: {...} }), got ${JSON.stringify(params)?.slice(0, 120)}.`,
    );
  }
}

function mapColumns<P>(
  table: ColumnTable,
  columns: Record<string, P | null>,
  fn: (v: number | null, p: P | null) => number | null,
): ColumnTable {
  const replace: Record<string, NumCol> = {};
  for (const [column, p] of Object.entries(columns)) {
    if (table.columnIndex(column) < 0)
      throw new TableShapeError(
        `The scaler was fitted on column "${column}", which this table lacks. Columns present: ${table.columnNames().join(', ')}.`,
      );
    replace[column] = numbers(table, column).map((v) => fn(v, p));
  }
  return withColumns(table, replace);
}
