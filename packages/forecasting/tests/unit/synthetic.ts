/** Seeded synthetic data for the train tests. */
import { featureMatrix, type FeatureMatrix } from '../../src/model/matrix';
import { seededRandom, type Random } from '@air-quality/preprocessing';

/** Standard normal draws (Box–Muller) from a seeded source. */
export function normalSource(seed: number): () => number {
  const random = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(1 - random.float())) * Math.cos(2 * Math.PI * random.float());
}

/** A rows × cols matrix of uniform values in [0, 1). */
export function uniformMatrix(rows: number, cols: number, random: Random): FeatureMatrix {
  return featureMatrix(
    Float64Array.from({ length: rows * cols }, () => random.float()),
    cols,
  );
}

/** Levels of an ARIMA(p,1,0) process: differences follow d[t] = c + Σ phi[i] d[t-1-i] + noise. */
export function simulateIntegratedAr(
  length: number,
  phi: readonly number[],
  intercept: number,
  seed: number,
): Float64Array {
  const noise = normalSource(seed);
  const burnIn = 200;
  const differences: number[] = new Array(phi.length).fill(0);
  for (let t = 0; t < burnIn + length; t++) {
    const recent = differences.slice(-phi.length).reverse();
    differences.push(intercept + phi.reduce((sum, coefficient, i) => sum + coefficient * recent[i], 0) + noise());
  }
  const levels = new Float64Array(length);
  let level = 10;
  differences.slice(-length).forEach((difference, t) => {
    level += difference;
    levels[t] = level;
  });
  return levels;
}
