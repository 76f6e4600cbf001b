export interface RobustScores {
  median: number;
  /** Median absolute deviation from the median (unscaled). */
  mad: number;
  /** 0.6745·(r − median)/MAD at every position; NaN where the residual is not scored. */
  z: Float64Array;
}

// 0.6745 = Φ⁻¹(0.75): makes MAD-based z comparable to a standard score under normality (Iglewicz & Hoaglin).
const MAD_TO_SIGMA = 0.6745;

function median(values: Float64Array): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Robust z-scores of residuals; only positions where `scored` is true enter the median and MAD. */
export function robustZScores(
  residuals: ArrayLike<number>,
  scored: (index: number) => boolean = () => true,
): RobustScores {
  const included = Float64Array.from({ length: residuals.length }, (_, i) => i).filter(scored);
  const values = included.map((i) => residuals[i]!);
  const centre = median(values);
  const mad = median(values.map((r) => Math.abs(r - centre)));
  const z = new Float64Array(residuals.length).fill(NaN);
  for (const i of included) z[i] = (MAD_TO_SIGMA * (residuals[i]! - centre)) / mad;
  return { median: centre, mad, z };
}

/** Indexes whose |z| exceeds the threshold; none when the MAD is 0 (no spread to judge against). */
export function anomalyIndexes(scores: RobustScores, threshold: number): number[] {
  if (!(threshold > 0))
    throw new Error(
      `The anomaly threshold must be a positive number of robust standard deviations (got ${threshold}); 3.5 is usual.`,
    );
  if (!(scores.mad > 0)) return [];
  const flagged: number[] = [];
  scores.z.forEach((z, i) => {
    if (Math.abs(z) > threshold) flagged.push(i);
  });
  return flagged;
}
