import {
  DEFAULT_FEATURE_SPEC,
  IMPUTED,
  buildFeaturesWithState,
  flagLists,
  numbers,
  resolveFeatureSpec,
  timestamps,
  toFeatureMatrix,
  type ColumnTable,
  type FeatureSpec,
  type ResolvedFeatureSpec,
} from '@air-quality/preprocessing';
import { alignHorizon, type HorizonAlignment } from '@air-quality/forecasting';
import { featureMatrix, type FeatureMatrix } from '@air-quality/forecasting';

/**
 * Everything a training run needs from one hourly table, one row per hour in time order. The
 * features come from the layer's window kernel — the code path `infer` runs online — and are
 * float32, the precision the ONNX model receives, so in-process and ONNX predictions see the same inputs.
 */
export interface TrainingSet {
  readonly target: string;
  /** How many series (stations) the rows come from: rows are ordered by hour, then series. */
  readonly seriesCount: number;
  /** The series (0 … seriesCount − 1) each row belongs to; its features were built from that series alone. */
  readonly series: Uint16Array;
  readonly horizon: number;
  readonly spec: ResolvedFeatureSpec;
  readonly names: readonly string[];
  readonly timestamps: readonly number[];
  readonly features: FeatureMatrix;
  /** The target column as the table holds it (imputed hours filled), NaN where still missing. */
  readonly levels: Float64Array;
  /** 1 where the target was observed in the raw data (not imputed). */
  readonly observed: Uint8Array;
  /** y(t + H), its raw-observed flag, and persistence y(t). */
  readonly alignment: HorizonAlignment;
  /**
   * 1 where the row may be fitted and scored: y(t + H) observed in the raw data, and no value of the
   * origin hour imputed — interpolation fills a gap from both ends, so an imputed origin would carry
   * information from after t into the features.
   */
  readonly usable: Uint8Array;
}

/** The series whose recent and day-old changes the GBT gets as features: CO, its sensor, and the two pollutants closest to it. */
const CHANGE_COLUMNS = ['co_gt', 'pt08_s1_co', 'nox_gt', 'c6h6_gt'];

/**
 * The layer's default features plus, measured on CO (bench/forecast-reference.ts): lag 23, the hour a
 * day before the next one, and the last hour's and the day-old change (lag 0 − 1, lag 23 − 24) of
 * CHANGE_COLUMNS: trees cannot subtract two features, and yesterday's change at this hour predicts today's.
 */
const TRAINING_FEATURE_SPEC: FeatureSpec = {
  lags: [...DEFAULT_FEATURE_SPEC.lags, 23],
  lagDifferences: CHANGE_COLUMNS.flatMap((c): [string, number, number][] => [
    [c, 0, 1],
    [c, 23, 24],
  ]),
};

export function assembleTrainingSet(
  table: ColumnTable,
  target: string,
  horizon: number,
  spec: FeatureSpec = TRAINING_FEATURE_SPEC,
): TrainingSet {
  const resolved = resolveFeatureSpec(spec);
  if (!resolved.current || !resolved.columns.includes(target)) {
    throw new Error(
      `The feature spec must include the target's current value (${target}_lag0): the forecast is a change from it. Add "${target}" to columns and keep current: true.`,
    );
  }
  const { table: featureTable, names } = buildFeaturesWithState(table, resolved);
  const { data, cols } = toFeatureMatrix(featureTable, names);
  const imputed = flagLists(table, IMPUTED);
  const levels = Float64Array.from(numbers(table, target), (v) => v ?? NaN);
  const observed = Uint8Array.from(levels, (v, t) => (Number.isFinite(v) && !imputed[t].includes(target) ? 1 : 0));
  const alignment = alignHorizon(levels, observed, horizon);
  const usable = Uint8Array.from(alignment.targetObserved, (ok, t) =>
    ok && imputed[t].length === 0 && Number.isFinite(levels[t]) ? 1 : 0,
  );
  return {
    target,
    seriesCount: 1,
    series: new Uint16Array(levels.length),
    horizon,
    spec: resolved,
    names,
    timestamps: timestamps(table, 'training'),
    features: featureMatrix(Float32Array.from(data), cols),
    levels,
    observed,
    alignment,
    usable,
  };
}

/**
 * Several series' training sets (one per station, each built from its own hourly table, so no lag or EMA mixes
 * stations) as one, rows ordered by hour and then series: a cut at an hour is then the same cut for every
 * series, and the holdout holds no station's past or another's future.
 */
export function poolTrainingSets(sets: readonly TrainingSet[]): TrainingSet {
  if (sets.length === 1) return sets[0];
  const [first] = sets;
  const rows = sets.flatMap((set, s) => Array.from(set.timestamps, (timestamp, t) => ({ timestamp, s, t })));
  rows.sort((a, b) => a.timestamp - b.timestamp || a.s - b.s);
  const pick = <T extends Float64Array | Uint8Array>(of: (set: TrainingSet) => T, make: (n: number) => T): T => {
    const out = make(rows.length);
    rows.forEach(({ s, t }, i) => {
      out[i] = of(sets[s])[t];
    });
    return out;
  };
  const { cols } = first.features;
  const values = new Float32Array(rows.length * cols);
  rows.forEach(({ s, t }, i) => {
    values.set(sets[s].features.values.subarray(t * cols, (t + 1) * cols), i * cols);
  });
  const floats = (n: number) => new Float64Array(n);
  const flags = (n: number) => new Uint8Array(n);
  return {
    ...first,
    seriesCount: sets.length,
    series: Uint16Array.from(rows, ({ s }) => s),
    timestamps: rows.map(({ timestamp }) => timestamp),
    features: featureMatrix(values, cols),
    levels: pick((set) => set.levels, floats),
    observed: pick((set) => set.observed, flags),
    alignment: {
      target: pick((set) => set.alignment.target, floats),
      targetObserved: pick((set) => set.alignment.targetObserved, flags),
      persistence: pick((set) => set.alignment.persistence, floats),
    },
    usable: pick((set) => set.usable, flags),
  };
}

/** Row indices in [start, end) whose flag is set. */
export function flaggedRows(flags: ArrayLike<number>, start = 0, end = flags.length): number[] {
  const rows: number[] = [];
  for (let t = start; t < end; t++) if (flags[t]) rows.push(t);
  return rows;
}

/** The given rows of a matrix, copied in order. */
export function selectRows(matrix: FeatureMatrix, rows: readonly number[]): FeatureMatrix {
  const values = new Float32Array(rows.length * matrix.cols);
  rows.forEach((row, i) => {
    values.set(matrix.values.subarray(row * matrix.cols, (row + 1) * matrix.cols), i * matrix.cols);
  });
  return featureMatrix(values, matrix.cols);
}
