/** The report's CSV artifacts, written by arquero (column order = key order of the rows). */
import { from, table } from 'arquero';
import { timestampAt, type PollutantAnalysis, type ReportAnalysis } from '../analyse';
import type { CorrelationMatrix } from '@air-quality/timeseries-stats';

// NaN would print as "NaN"; an empty cell is what spreadsheets and pandas read as missing.
const cell = (v: number): number | null => (Number.isNaN(v) ? null : v);

/** One row per column, like pandas' DataFrame.corr().to_csv(). */
export function matrixCsv(matrix: CorrelationMatrix, which: 'r' | 'p'): string {
  const columns: Record<string, unknown[]> = { column: matrix.columns };
  matrix.columns.forEach((name, j) => {
    columns[name] = matrix[which].map((row) => cell(row[j]!));
  });
  return table(columns).toCSV();
}

export function correlogramCsv(pollutants: readonly PollutantAnalysis[], which: 'acf' | 'pacf'): string {
  const rows = pollutants.flatMap(({ id, [which]: { values, confint } }) =>
    values.map((value, lag) => ({
      pollutant: id,
      lag,
      [which]: value,
      confint_lower: confint[lag]![0],
      confint_upper: confint[lag]![1],
    })),
  );
  return from(rows).toCSV();
}

export interface AnomalyRow {
  timestamp: string;
  pollutant: string;
  value: number;
  residual: number;
  robust_z: number;
}

/** Flagged hours, pollutant by pollutant in time order. */
export function anomalyRows(analysis: ReportAnalysis): AnomalyRow[] {
  return analysis.pollutants.flatMap((p) =>
    p.anomalies.map((i) => ({
      timestamp: new Date(timestampAt(analysis, i)).toISOString(),
      pollutant: p.id,
      value: p.observed[i]!,
      residual: p.stl.residual[i]!,
      robust_z: p.scores.z[i]!,
    })),
  );
}

export const anomaliesCsv = (rows: readonly AnomalyRow[]): string =>
  rows.length > 0 ? from(rows).toCSV() : 'timestamp,pollutant,value,residual,robust_z\n';
