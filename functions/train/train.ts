import { HOUR_MS } from '@air-quality/preprocessing';
import { quantile } from 'simple-statistics';
import { forecastLevels, type ModelOutput } from '../../shared/models/manifest';
import { maeDifferenceInterval, type MaeDifferenceInterval } from '@air-quality/forecasting';
import {
  defaultGridSearchOptions,
  gridSearchGbt,
  type GridSearchOptions,
  type TuningReport,
} from '@air-quality/forecasting';
import { mae, rmse } from '@air-quality/forecasting';
import {
  fitDifferencedAr,
  linearForecast,
  predictLinearForecast,
  type DifferencedArModel,
  type LinearForecast,
  type LinearForecastColumns,
} from '@air-quality/forecasting';
import { predictGbt, trainGbt, type GbtModel, type GbtOptions } from '@air-quality/forecasting';
import type { FeatureMatrix } from '@air-quality/forecasting';
import { searchOf, type TrainRequest } from './request';
import { flaggedRows, selectRows, type TrainingSet } from './training-set';

/** Train's GBT settings over the trainer's defaults: a stronger L2 penalty on leaves (measured on CO h1). */
const TRAIN_GBT_DEFAULTS: Partial<GbtOptions> = { lambda: 10 };

/**
 * The Huber loss clips residuals at this quantile of the training |change| (0.5 mg/m³ for CO 1 h
 * ahead): the holdout is scored by MAE, and spikes pull squared-error leaves (CO h1 0.372 → 0.365).
 */
const HUBER_QUANTILE = 0.6;

/** Train's GBT settings for these training changes, before the request's own. */
function gbtSettings(changes: Float64Array): Partial<GbtOptions> {
  const delta = quantile(Array.from(changes, Math.abs), HUBER_QUANTILE);
  return { ...TRAIN_GBT_DEFAULTS, huberDelta: delta > 0 ? delta : Number.POSITIVE_INFINITY };
}

/** The most recent 20 % of the hours are held out for evaluation. */
export const HOLDOUT_SHARE = 0.2;

export type FittedModel =
  | { kind: 'gbt'; model: GbtModel; output: ModelOutput }
  | {
      kind: 'arima';
      model: DifferencedArModel;
      forecast: LinearForecast;
      columns: LinearForecastColumns;
      output: ModelOutput;
    };

export interface Scores {
  mae: number;
  rmse: number;
}

export interface CandidateResult {
  fitted: FittedModel;
  holdout: Scores;
  /** MAE(candidate) − MAE(persistence) with its block-bootstrap CI: negative is better. */
  vsPersistence: MaeDifferenceInterval;
  /** Raw outputs and forecast levels on every holdout row, in row order. */
  outputs: Float64Array;
  levels: Float64Array;
}

/** Told of each fit and each grid point of a tuning search as it is scored. */
export type TuningProgress = Pick<GridSearchOptions, 'onFit' | 'onPoint'>;

export interface Split {
  /** Fitted rows: usable rows ending `horizon` hours before the holdout, so no training target lies in it. */
  trainRows: number[];
  holdoutStart: number;
  holdoutRows: number[];
  /** 1 per holdout row that is scored (see TrainingSet.usable). */
  holdoutScored: Uint8Array;
}

/** The promoted model fitted again on every usable row (training window and holdout), for production. */
export interface Refit {
  fitted: FittedModel;
  rows: number[];
  /** How the refit's settings follow from the evaluated model's. */
  rule: string;
}

export interface TrainingOutcome {
  split: Split;
  persistence: Scores;
  candidates: CandidateResult[];
  /** The candidate with the lowest holdout MAE. */
  best: CandidateResult;
  /** Whether the best candidate beats persistence: the CI of the MAE difference lies below zero. */
  beatsPersistence: boolean;
  tuning: TuningReport | null;
}

/**
 * The holdout is the last 20 % of the rows from the hour the cut falls in on: rows are ordered by hour, so for a
 * pooled set it is one cut in time for every series. Training rows are those whose target hour precedes it.
 */
function splitHoldout(set: TrainingSet): Split {
  const rows = set.features.rows;
  const cut = set.timestamps[Math.floor(rows * (1 - HOLDOUT_SHARE))];
  const holdoutStart = set.timestamps.findIndex((timestamp) => timestamp >= cut);
  const holdoutRows = Array.from({ length: rows - holdoutStart }, (_, i) => holdoutStart + i);
  return {
    trainRows: flaggedRows(set.usable, 0, holdoutStart).filter((t) => set.timestamps[t] + set.horizon * HOUR_MS < cut),
    holdoutStart,
    holdoutRows,
    holdoutScored: Uint8Array.from(holdoutRows, (t) => set.usable[t]),
  };
}

/** The largest p with lags 1..p all among the features: the AR(p) forecast then needs no extra columns. */
function contiguousLags(set: TrainingSet): number {
  let p = 0;
  while (set.names.includes(`${set.target}_lag${p + 1}`)) p++;
  return p;
}

/** The GBT learns the change y(t + H) − y(t): trees cannot extrapolate levels, and the change is what persistence misses. */
function changeOutput(set: TrainingSet): ModelOutput {
  return { kind: 'change', base: `${set.target}_lag0` };
}

function column(set: TrainingSet, name: string): number {
  const index = set.names.indexOf(name);
  if (index < 0) throw new Error(`Feature ${name} is missing from the feature spec; the models need it.`);
  return index;
}

/** Runs the fitted model's arithmetic in process (the reference the ONNX export is checked against). */
export function rawOutputs(fitted: FittedModel, matrix: FeatureMatrix): Float64Array {
  return fitted.kind === 'gbt'
    ? predictGbt(fitted.model, matrix)
    : predictLinearForecast(fitted.forecast, fitted.columns, matrix);
}

function tuneGbt(
  set: TrainingSet,
  request: TrainRequest,
  training: FeatureMatrix,
  changes: Float64Array,
  settings: Partial<GbtOptions>,
  progress: TuningProgress,
): TuningReport | null {
  if (request.tune === false) return null;
  const narrowed = request.tune === true ? {} : request.tune;
  const { grid, folds } = searchOf(narrowed);
  return gridSearchGbt(training, changes, {
    grid,
    // A gap of H hours (H rows per series) keeps every validation origin after the last training target.
    folds: { folds, gap: set.horizon * set.seriesCount },
    fit: { ...defaultGridSearchOptions.fit, ...settings, ...(narrowed.trees ? { trees: narrowed.trees } : {}) },
    ...progress,
  });
}

function fitGbt(
  set: TrainingSet,
  split: Split,
  request: TrainRequest,
  progress: TuningProgress,
): { fitted: FittedModel; tuning: TuningReport | null } {
  const changes = changesOf(set, split.trainRows);
  const training = selectRows(set.features, split.trainRows);
  const settings = { ...gbtSettings(changes), ...request.gbt };
  const tuning = tuneGbt(set, request, training, changes, settings, progress);
  const options: Partial<GbtOptions> = { ...settings, ...tuning?.best.params };
  return { fitted: { kind: 'gbt', model: trainGbt(training, changes, options), output: changeOutput(set) }, tuning };
}

/** The change y(t + H) − y(t) of each row. */
function changesOf(set: TrainingSet, rows: readonly number[]): Float64Array {
  const base = column(set, `${set.target}_lag0`);
  return Float64Array.from(rows, (t) => set.alignment.target[t] - set.features.values[t * set.features.cols + base]);
}

/**
 * The raw-observed levels of rows before `end`, series after series with a NaN between them: imputed hours are NaN,
 * so no AR equation uses an interpolated change, nor spans two stations.
 */
function observedLevels(set: TrainingSet, end: number): number[] {
  const bySeries = Array.from({ length: set.seriesCount }, () => [] as number[]);
  for (let t = 0; t < end; t++) bySeries[set.series[t]].push(set.observed[t] ? set.levels[t] : NaN);
  return bySeries.flatMap((levels, s) => (s === 0 ? levels : [NaN, ...levels]));
}

function fitArima(set: TrainingSet, end: number, orders: { minOrder?: number; maxOrder: number }): FittedModel {
  const model = fitDifferencedAr(observedLevels(set, end), orders);
  const forecast = linearForecast(model, set.horizon);
  const columns = {
    featureCount: set.names.length,
    lagColumns: Array.from({ length: model.order + 1 }, (_, k) => column(set, `${set.target}_lag${k}`)),
  };
  return { kind: 'arima', model, forecast, columns, output: { kind: 'level' } };
}

function evaluate(
  fitted: FittedModel,
  set: TrainingSet,
  split: Split,
  holdout: FeatureMatrix,
  persistence: Float64Array,
  actual: Float64Array,
): CandidateResult {
  const outputs = rawOutputs(fitted, holdout);
  const levels = forecastLevels(fitted.output, set.names, outputs, holdout.values);
  return {
    fitted,
    outputs,
    levels,
    holdout: { mae: mae(levels, actual, split.holdoutScored), rmse: rmse(levels, actual, split.holdoutScored) },
    vsPersistence: maeDifferenceInterval(levels, persistence, actual, split.holdoutScored),
  };
}

/** Fits the requested models on the training window and scores them on the holdout against persistence; `progress` hears of a tuning search as it goes. */
export function trainAndEvaluate(
  set: TrainingSet,
  request: TrainRequest,
  progress: TuningProgress = {},
): TrainingOutcome {
  const split = splitHoldout(set);
  if (split.trainRows.length < 200)
    throw new Error(
      `Only ${split.trainRows.length} usable training hours (observed target, no imputed input); give a longer window (lastHours) or another source.`,
    );
  const actual = Float64Array.from(split.holdoutRows, (t) => set.alignment.target[t]);
  const persistence = Float64Array.from(split.holdoutRows, (t) => set.alignment.persistence[t]);
  const gbt = request.models.includes('gbt') ? fitGbt(set, split, request, progress) : undefined;
  const fitted = request.models.map((kind) =>
    kind === 'gbt' ? gbt!.fitted : fitArima(set, split.holdoutStart, { maxOrder: contiguousLags(set) }),
  );
  const holdout = selectRows(set.features, split.holdoutRows);
  const candidates = fitted.map((model) => evaluate(model, set, split, holdout, persistence, actual));
  const best = candidates.reduce((a, b) => (b.holdout.mae < a.holdout.mae ? b : a));
  return {
    split,
    persistence: {
      mae: mae(persistence, actual, split.holdoutScored),
      rmse: rmse(persistence, actual, split.holdoutScored),
    },
    candidates,
    best,
    beatsPersistence: best.vsPersistence.upper < 0,
    tuning: gbt?.tuning ?? null,
  };
}

/**
 * Refits the chosen model on every usable row, holdout included, so production learns from the most
 * recent hours too. The GBT keeps the evaluated model's settings and its tree count (the best round of
 * its early stopping, not scaled: the refit also sees the early-stopping slice and the holdout, which
 * argues for a few more trees, but nothing here measures how many); the AR model keeps its AIC-chosen
 * order and refits its coefficients.
 */
export function refitOnAllRows(set: TrainingSet, evaluated: FittedModel): Refit {
  const rows = flaggedRows(set.usable);
  if (evaluated.kind === 'arima') {
    const { order } = evaluated.model;
    return {
      fitted: fitArima(set, set.levels.length, { minOrder: order, maxOrder: order }),
      rows,
      rule: `AR order ${order} kept, coefficients refitted on every observed hour`,
    };
  }
  const { options, trees } = evaluated.model;
  const model = trainGbt(selectRows(set.features, rows), changesOf(set, rows), {
    ...options,
    trees: trees.length,
    validationFraction: 0,
  });
  return {
    fitted: { ...evaluated, model },
    rows,
    rule: `settings and tree count (${trees.length}, the evaluated fit's best early-stopping round, not scaled) kept, no early-stopping slice`,
  };
}
