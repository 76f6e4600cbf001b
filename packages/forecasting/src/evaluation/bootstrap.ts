import { quantileSorted } from 'simple-statistics';
import { seededRandom } from '@air-quality/preprocessing';
import { assertAligned, assertScorable, type ObservedMask } from './metrics';

export interface BlockBootstrapOptions {
  /** Hours per block: 24 keeps a day of autocorrelated errors together. */
  readonly blockLength: number;
  readonly resamples: number;
  /** Two-sided coverage of the percentile interval. */
  readonly confidence: number;
  readonly seed: number;
}

export const defaultBlockBootstrapOptions: BlockBootstrapOptions = {
  blockLength: 24,
  resamples: 1000,
  confidence: 0.95,
  seed: 42,
};

export interface MaeDifferenceInterval {
  /** MAE(model) − MAE(baseline) on the observed rows: negative means the model is better. */
  readonly difference: number;
  readonly lower: number;
  readonly upper: number;
  readonly scoredRows: number;
  readonly options: BlockBootstrapOptions;
}

/**
 * Moving-block bootstrap percentile interval of MAE(model) − MAE(baseline). Rows are hours in
 * time order; blocks are drawn over all hours and only the observed ones in them are scored, so
 * gaps in the target keep their place in time.
 */
export function maeDifferenceInterval(
  model: ArrayLike<number>,
  baseline: ArrayLike<number>,
  actual: ArrayLike<number>,
  observed: ObservedMask,
  overrides: Partial<BlockBootstrapOptions> = {},
): MaeDifferenceInterval {
  const options = { ...defaultBlockBootstrapOptions, ...overrides };
  assertAligned(model, actual, observed);
  assertAligned(baseline, actual, observed);
  const n = actual.length;
  const { blockLength, resamples, confidence } = options;
  if (!Number.isInteger(blockLength) || blockLength < 1 || blockLength > n) {
    throw new Error(`blockLength must be an integer in [1, ${n}] (the number of rows), got ${blockLength}.`);
  }
  if (!Number.isInteger(resamples) || resamples < 1)
    throw new Error(`resamples must be an integer >= 1, got ${resamples}.`);
  if (!(confidence > 0 && confidence < 1)) throw new Error(`confidence must be in (0, 1), got ${confidence}.`);

  const lossDifference = new Float64Array(n);
  let scoredRows = 0;
  for (let t = 0; t < n; t++) {
    if (!observed[t]) continue;
    assertScorable(model[t], actual[t], t);
    assertScorable(baseline[t], actual[t], t);
    lossDifference[t] = Math.abs(model[t] - actual[t]) - Math.abs(baseline[t] - actual[t]);
    scoredRows++;
  }
  if (scoredRows === 0) throw new Error('No observed row to score; the mask excludes every row.');

  const statistics = blockBootstrapStarts(n, options)
    .map((starts) => resampledMean(lossDifference, observed, blockLength, starts))
    .filter((statistic) => !Number.isNaN(statistic))
    .sort((a, b) => a - b);
  const tail = (1 - confidence) / 2;
  return {
    difference: lossDifference.reduce((a, b) => a + b, 0) / scoredRows,
    lower: quantileSorted(statistics, tail),
    upper: quantileSorted(statistics, 1 - tail),
    scoredRows,
    options,
  };
}

/**
 * The first row of every block of every resample of a series of n rows, in the order drawn: the
 * resamples the interval uses, so an outside reference (scripts/lightgbm_reference.py) can score the same ones.
 */
export function blockBootstrapStarts(
  n: number,
  { blockLength, resamples, seed }: Pick<BlockBootstrapOptions, 'blockLength' | 'resamples' | 'seed'>,
): Uint32Array[] {
  const random = seededRandom(seed);
  const blocks = Math.ceil(n / blockLength);
  return Array.from({ length: resamples }, () =>
    Uint32Array.from({ length: blocks }, () => random.int(0, n - blockLength)),
  );
}

/** Mean loss difference over the observed rows of one series of n rows rebuilt from the given blocks. */
function resampledMean(
  lossDifference: Float64Array,
  observed: ObservedMask,
  blockLength: number,
  starts: Uint32Array,
): number {
  const n = lossDifference.length;
  let sum = 0;
  let count = 0;
  starts.forEach((start, block) => {
    const end = start + Math.min(blockLength, n - block * blockLength);
    for (let t = start; t < end; t++) {
      if (!observed[t]) continue;
      sum += lossDifference[t];
      count++;
    }
  });
  // A resample of only unobserved hours has no statistic; the caller drops it.
  return count === 0 ? NaN : sum / count;
}
