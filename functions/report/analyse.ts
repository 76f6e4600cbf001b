/** Every number the report shows, computed from the table; no formatting, no I/O. */
import {
  COLUMN_IDS,
  HOUR_MS,
  impute,
  numbers,
  regularizeHourly,
  timestamps,
  type ColumnTable,
} from '@air-quality/preprocessing';
import { anomalyIndexes, robustZScores, type RobustScores } from '@air-quality/timeseries-stats';
import { correlationMatrix, type CorrelationMatrix } from '@air-quality/timeseries-stats';
import { acf, pacf, type Correlogram } from '@air-quality/timeseries-stats';
import { dayOfWeek, hourOfDay, meanByBucket } from '@air-quality/timeseries-stats';
import { stl, type StlResult } from '@air-quality/timeseries-stats';
import type { ReportOptions } from './options';

export interface ColumnCoverage {
  id: string;
  /** Hours with a value. */
  present: number;
  /** Share of the hourly grid without a value. */
  missingFraction: number;
}

export interface PollutantAnalysis {
  id: string;
  /** Values on the hourly grid, NaN where missing. */
  observed: Float64Array;
  /** `observed` with gaps filled by linear interpolation: the input of ACF, PACF and STL. */
  filled: Float64Array;
  byHourOfDay: number[];
  /** Monday first. */
  byDayOfWeek: number[];
  acf: Correlogram;
  pacf: Correlogram;
  stl: StlResult;
  /** Robust z of the STL residual at observed hours (NaN at filled ones). */
  scores: RobustScores;
  /** Grid indexes of the flagged hours. */
  anomalies: number[];
}

export interface ReportAnalysis {
  options: ReportOptions;
  rows: number;
  /** Epoch ms of grid index 0; grid index i is start + i hours. */
  start: number;
  hours: number;
  coverage: ColumnCoverage[];
  /** Columns left out for missing more than options.maxMissingFraction. */
  excluded: ColumnCoverage[];
  correlation: CorrelationMatrix;
  pollutants: PollutantAnalysis[];
}

export const timestampAt = (analysis: Pick<ReportAnalysis, 'start'>, index: number): number =>
  analysis.start + index * HOUR_MS;

function requireColumns(table: ColumnTable, ids: readonly string[], option: string): void {
  const absent = ids.filter((id) => table.columnIndex(id) < 0);
  if (absent.length > 0) {
    throw new Error(
      `Report option ${option} names ${absent.join(', ')}, which the table lacks. Columns present: ${table.columnNames().join(', ')}.`,
    );
  }
}

function coverageOf(id: string, values: Float64Array): ColumnCoverage {
  const present = values.reduce((count, v) => count + (Number.isNaN(v) ? 0 : 1), 0);
  return { id, present, missingFraction: 1 - present / values.length };
}

const column = (table: ColumnTable, id: string) => Float64Array.from(numbers(table, id), (v) => v ?? NaN);

function analysePollutant(
  id: string,
  observed: Float64Array,
  filled: Float64Array,
  stamps: number[],
  options: ReportOptions,
): PollutantAnalysis {
  const decomposition = stl(filled, { period: options.period, ...options.stl });
  const scores = robustZScores(decomposition.residual, (i) => !Number.isNaN(observed[i]));
  return {
    id,
    observed,
    filled,
    byHourOfDay: meanByBucket(stamps, observed, hourOfDay, 24),
    byDayOfWeek: meanByBucket(stamps, observed, dayOfWeek, 7),
    acf: acf(filled, options.nlags, options.alpha),
    pacf: pacf(filled, options.nlags, options.alpha),
    stl: decomposition,
    scores,
    anomalies: anomalyIndexes(scores, options.anomalyThreshold),
  };
}

/** The shortest hourly series the report can analyse: two seasonal periods and twice the ACF lags. */
export const minimumReportHours = (options: Pick<ReportOptions, 'period' | 'nlags'>): number =>
  Math.max(2 * options.period, 2 * options.nlags);

export function analyse(table: ColumnTable, options: ReportOptions): ReportAnalysis {
  const measures = options.measures ?? COLUMN_IDS.filter((id) => table.columnIndex(id) >= 0);
  requireColumns(table, measures, 'measures');
  requireColumns(table, options.pollutants, 'pollutants');
  // One row per hour from the first to the last; absent hours become all-missing rows.
  const { table: hourly } = regularizeHourly(table);
  const stamps = timestamps(hourly, 'the report');
  const minimumHours = minimumReportHours(options);
  if (stamps.length < minimumHours) {
    throw new Error(
      `The table spans ${stamps.length} hours; the report needs at least ${minimumHours} (two periods and twice the ACF lags). Report on a longer window.`,
    );
  }
  const ids = [...new Set([...measures, ...options.pollutants])];
  const observed = new Map(ids.map((id) => [id, column(hourly, id)]));
  const coverage = ids.map((id) => coverageOf(id, observed.get(id)!));
  const excluded = coverage.filter((c) => c.missingFraction > options.maxMissingFraction);
  const kept = (id: string) => !excluded.some((c) => c.id === id);
  const pollutants = options.pollutants.filter(kept);
  if (pollutants.length === 0) {
    throw new Error(
      `Every pollutant (${options.pollutants.join(', ')}) misses more than ${options.maxMissingFraction * 100} % of its hours; raise maxMissingFraction or report on a better-covered window.`,
    );
  }
  // ACF, PACF and STL need a complete series: linear in time between observations, nearest value at the ends.
  const { table: filled } = impute(hourly, { strategy: 'interpolate', edges: 'nearest', columns: pollutants });
  return {
    options,
    rows: table.numRows(),
    start: stamps[0]!,
    hours: stamps.length,
    coverage,
    excluded,
    correlation: correlationMatrix(measures.filter(kept).map((id) => ({ name: id, values: observed.get(id)! }))),
    pollutants: pollutants.map((id) => analysePollutant(id, observed.get(id)!, column(filled, id), stamps, options)),
  };
}
