import { toIso } from '@air-quality/preprocessing';
import { max, mean, min, standardDeviation } from 'simple-statistics';
import {
  type FeatureStatistics,
  MANIFEST_SCHEMA_VERSION,
  type ModelArtifacts,
  type ModelManifest,
  sha256Hex,
} from '../../shared/models/manifest';
import { OnnxForecaster } from '../../shared/models/onnx-session';
import { featuresInput, predictionOutput } from '@air-quality/forecasting';
import { linearForecastToOnnx } from '@air-quality/forecasting';
import { gbtToOnnx } from '@air-quality/forecasting';
import type { FeatureMatrix } from '@air-quality/forecasting';
import {
  HOLDOUT_SHARE,
  rawOutputs,
  type CandidateResult,
  type FittedModel,
  type Refit,
  type TrainingOutcome,
} from './train';
import { selectRows, type TrainingSet } from './training-set';

/** The ONNX export must reproduce the in-process model to this absolute tolerance on every holdout row. */
const ONNX_TOLERANCE = 1e-5;
const SAMPLE_ROWS = 5;

export interface DataSource {
  kind: 'reference' | 'lake';
  origin: string;
  sha256?: string;
}

/** Per-feature mean, population std, min, max and non-null count over the given rows (NaN = missing). */
function featureStatistics(names: readonly string[], matrix: FeatureMatrix): FeatureStatistics[] {
  return names.map((name, col) => {
    const values: number[] = [];
    for (let row = 0; row < matrix.rows; row++) {
      const v = matrix.values[row * matrix.cols + col];
      if (!Number.isNaN(v)) values.push(v);
    }
    const count = values.length;
    if (count === 0) return { name, mean: null, std: null, min: null, max: null, count };
    return { name, mean: mean(values), std: standardDeviation(values), min: min(values), max: max(values), count };
  });
}

function toOnnx(fitted: FittedModel, info: { description: string; metadata: Record<string, string> }): Uint8Array {
  return fitted.kind === 'gbt'
    ? gbtToOnnx(fitted.model, info)
    : linearForecastToOnnx(fitted.forecast, fitted.columns, info);
}

function hyperParameters(fitted: FittedModel): Record<string, unknown> {
  if (fitted.kind === 'gbt') return { ...fitted.model.options, treesKept: fitted.model.trees.length };
  return {
    order: fitted.model.order,
    intercept: fitted.model.intercept,
    coefficients: fitted.model.coefficients,
    forecastWeights: fitted.forecast.weights,
  };
}

const scores = (candidate: CandidateResult) => ({
  holdoutMae: candidate.holdout.mae,
  holdoutRmse: candidate.holdout.rmse,
  maeDifferenceVsPersistence: {
    difference: candidate.vsPersistence.difference,
    lower: candidate.vsPersistence.lower,
    upper: candidate.vsPersistence.upper,
  },
});

interface BuiltArtifacts extends ModelArtifacts {
  /** Largest |onnxruntime − in-process| over every holdout row. */
  onnxMaxAbsDifference: number;
}

const windowOf = (set: TrainingSet, rows: readonly number[]) => ({
  start: toIso(set.timestamps[rows[0]]),
  end: toIso(set.timestamps[rows[rows.length - 1]]),
  rows: rows.length,
});

/**
 * Exports the refit of the best candidate to ONNX, runs the export in onnxruntime-node on the whole
 * holdout (refusing it when it departs from the in-process refit by more than ONNX_TOLERANCE), and
 * writes the manifest, evaluation, tuning report and sample the registry stores.
 */
export async function buildArtifacts(
  set: TrainingSet,
  outcome: TrainingOutcome,
  refit: Refit,
  source: DataSource,
  createdAt: Date,
): Promise<BuiltArtifacts> {
  const { best, split } = outcome;
  const names = [...set.names];
  const model = toOnnx(refit.fitted, {
    description: `${best.fitted.kind} forecast of ${set.target} ${set.horizon} h ahead (${best.fitted.output.kind === 'change' ? `change from ${best.fitted.output.base}` : 'level'})`,
    metadata: { target: set.target, horizon: String(set.horizon), features: JSON.stringify(names) },
  });
  const sha256 = sha256Hex(model);
  const version = `${createdAt
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${sha256.slice(0, 8)}`;
  const manifest: ModelManifest = {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    version,
    createdAt: createdAt.toISOString(),
    target: set.target,
    horizon: set.horizon,
    model: {
      kind: best.fitted.kind === 'gbt' ? 'gradient-boosted-trees' : 'arima-p10',
      hyperParameters: hyperParameters(refit.fitted),
    },
    output: best.fitted.output,
    featureSpec: { ...set.spec },
    features: featureStatistics(names, selectRows(set.features, refit.rows)),
    onnx: { input: featuresInput, output: predictionOutput, sha256 },
    source,
    trainingWindow: windowOf(set, split.trainRows),
    refit: { trainingWindow: windowOf(set, refit.rows), rule: refit.rule },
    metrics: {
      ...scores(best),
      persistenceHoldoutMae: outcome.persistence.mae,
      persistenceHoldoutRmse: outcome.persistence.rmse,
      beatsPersistence: outcome.beatsPersistence,
    },
  };

  const forecaster = await OnnxForecaster.create(model, manifest);
  const holdout = selectRows(set.features, split.holdoutRows);
  const holdoutFeatures = holdout.values as Float32Array;
  const { outputs, levels } = await forecaster.forecast(holdoutFeatures);
  const inProcess = rawOutputs(refit.fitted, holdout);
  const onnxMaxAbsDifference = outputs.reduce((max, v, i) => Math.max(max, Math.abs(v - inProcess[i])), 0);
  if (!(onnxMaxAbsDifference <= ONNX_TOLERANCE)) {
    throw new Error(
      `The ONNX export differs from the in-process ${refit.fitted.kind} refit by ${onnxMaxAbsDifference} on the holdout (tolerance ${ONNX_TOLERANCE}); the exporter and the model disagree, nothing was published.`,
    );
  }
  const sampleAt = split.holdoutRows
    .map((_, i) => i)
    .filter((i) => split.holdoutScored[i])
    .slice(0, SAMPLE_ROWS);
  const sample = {
    rows: sampleAt.map((i) => ({
      timestamp: toIso(set.timestamps[split.holdoutRows[i]]),
      features: Array.from(holdoutFeatures.subarray(i * names.length, (i + 1) * names.length), (v) =>
        Number.isNaN(v) ? null : v,
      ),
      output: outputs[i],
      forecast: levels[i],
    })),
  };
  const evaluation = {
    target: set.target,
    horizon: set.horizon,
    holdout: {
      share: HOLDOUT_SHARE,
      start: toIso(set.timestamps[split.holdoutStart]),
      end: toIso(set.timestamps[set.timestamps.length - 1]),
      hours: split.holdoutRows.length,
      scoredHours: best.vsPersistence.scoredRows,
      rule: 'scored where the target hour was observed in the raw data and no input of the origin hour was imputed',
    },
    persistence: outcome.persistence,
    candidates: Object.fromEntries(outcome.candidates.map((c) => [c.fitted.kind, scores(c)])),
    chosen: best.fitted.kind,
    beatsPersistence: outcome.beatsPersistence,
    bootstrap: best.vsPersistence.options,
    refit: { trainingWindow: windowOf(set, refit.rows), rule: refit.rule },
    onnxMaxAbsDifference,
  };
  return {
    model,
    manifest,
    evaluation,
    tuning: outcome.tuning ?? { skipped: 'tune was not set' },
    sample,
    onnxMaxAbsDifference,
  };
}
