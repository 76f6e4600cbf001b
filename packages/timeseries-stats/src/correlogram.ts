import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

/** Correlation by lag (lag 0 first) with the confidence interval statsmodels reports beside it. */
export interface Correlogram {
  values: number[];
  confint: Array<[lower: number, upper: number]>;
}

/** Autocovariances of the demeaned series for lags 0..nlags; `adjusted` divides by n−k instead of n. */
export function autocovariance(x: ArrayLike<number>, nlags: number, adjusted: boolean): number[] {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i]! / n;
  const centred = Float64Array.from(x, (v) => v - mean);
  return Array.from({ length: nlags + 1 }, (_, k) => {
    let sum = 0;
    for (let t = 0; t + k < n; t++) sum += centred[t]! * centred[t + k]!;
    return sum / (adjusted ? n - k : n);
  });
}

function requireUsable(x: ArrayLike<number>, nlags: number, maxLags: number): void {
  if (!Number.isInteger(nlags) || nlags < 1) throw new Error(`nlags must be a positive integer (got ${nlags}).`);
  if (nlags > maxLags)
    throw new Error(`nlags ${nlags} is too large for a series of ${x.length} values: use at most ${maxLags}.`);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]))
      throw new Error(
        `The series has a missing or non-finite value at index ${i}: fill gaps before computing correlograms.`,
      );
  }
}

const zScore = (alpha: number): number => normalQuantile(1 - alpha / 2, 0, 1);

/** Sample ACF (statsmodels `acf`, adjusted=False) with Bartlett's-formula intervals. */
export function acf(x: ArrayLike<number>, nlags: number, alpha = 0.05): Correlogram {
  requireUsable(x, nlags, x.length - 1);
  const acov = autocovariance(x, nlags, false);
  const values = acov.map((c) => c / acov[0]!);
  const z = zScore(alpha);
  let cumulative = 0;
  const confint = values.map((r, k): [number, number] => {
    // Bartlett: var(r_k) = (1 + 2·Σ_{j<k} r_j²)/n for k ≥ 1, and 0 at lag 0.
    const variance = k === 0 ? 0 : (1 + 2 * cumulative) / x.length;
    if (k > 0) cumulative += r * r;
    const half = z * Math.sqrt(variance);
    return [r - half, r + half];
  });
  return { values, confint };
}

/**
 * Partial autocorrelations by Levinson–Durbin on the adjusted autocovariances: the same numbers
 * as statsmodels' default `pacf` method 'ywadjusted' (Yule–Walker per order), in O(nlags²).
 * Intervals use var = 1/n as statsmodels does.
 */
export function pacf(x: ArrayLike<number>, nlags: number, alpha = 0.05): Correlogram {
  requireUsable(x, nlags, Math.floor(x.length / 2));
  const r = autocovariance(x, nlags, true);
  const values = [1];
  let phi: number[] = [];
  for (let k = 1; k <= nlags; k++) {
    let numerator = r[k]!;
    let denominator = r[0]!;
    for (let j = 1; j < k; j++) {
      numerator -= phi[j - 1]! * r[k - j]!;
      denominator -= phi[j - 1]! * r[j]!;
    }
    const reflection = numerator / denominator;
    phi = [...phi.map((p, j) => p - reflection * phi[k - 2 - j]!), reflection];
    values.push(reflection);
  }
  const half = zScore(alpha) / Math.sqrt(x.length);
  const confint = values.map((v, k): [number, number] => (k === 0 ? [v, v] : [v - half, v + half]));
  return { values, confint };
}
