import tCdf from '@stdlib/stats-base-dists-t-cdf';

export interface PairwiseCorrelation {
  r: number;
  /** Pairs where both values are present. */
  n: number;
  /** Two-sided p-value of r = 0 from Student's t with n − 2 degrees of freedom. */
  p: number;
}

export interface CorrelationMatrix {
  columns: string[];
  r: number[][];
  p: number[][];
  n: number[][];
}

/** Pearson's r over pairwise-complete observations (NaN marks missing), two passes for accuracy. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): PairwiseCorrelation {
  if (x.length !== y.length)
    throw new Error(
      `Cannot correlate series of different lengths (${x.length} and ${y.length}): align them on the same rows.`,
    );
  const complete: number[] = [];
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i]) || Number.isNaN(y[i])) continue;
    complete.push(i);
    meanX += x[i]!;
    meanY += y[i]!;
  }
  const n = complete.length;
  meanX /= n;
  meanY /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const i of complete) {
    const dx = x[i]! - meanX;
    const dy = y[i]! - meanY;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  const r = Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
  return { r, n, p: pearsonPValue(r, n) };
}

/** Two-sided p-value for Pearson's r from n pairs; NaN when n < 3 or r is undefined. */
export function pearsonPValue(r: number, n: number): number {
  if (n < 3 || Number.isNaN(r)) return NaN;
  if (Math.abs(r) === 1) return 0;
  const t = r * Math.sqrt((n - 2) / (1 - r * r));
  return 2 * tCdf(-Math.abs(t), n - 2);
}

/** Pearson matrix of named columns, each pair on its own complete observations. */
export function correlationMatrix(
  columns: ReadonlyArray<{ name: string; values: ArrayLike<number> }>,
): CorrelationMatrix {
  const pairs = columns.map((a) => columns.map((b) => pearson(a.values, b.values)));
  return {
    columns: columns.map((c) => c.name),
    r: pairs.map((row) => row.map((c) => c.r)),
    p: pairs.map((row) => row.map((c) => c.p)),
    n: pairs.map((row) => row.map((c) => c.n)),
  };
}
