import type { FeatureStatistics } from '../../shared/models/manifest';

export interface FeatureDrift {
  name: string;
  /** (batch mean − training mean) / training std. */
  z: number;
  batchMean: number;
  count: number;
}

export interface DriftReport {
  /** Features with a value in the batch and a training std above zero. */
  checked: number;
  maxAbsZ: number;
  /** Features with |z| above the threshold. */
  drifting: number;
  /** The features with the largest |z|, worst first. */
  worst: FeatureDrift[];
}

/**
 * Per-feature z-score of the batch mean against the training statistics in the manifest: how many
 * training standard deviations the batch has moved. The batch is one or more row-major feature
 * blocks (one per partition), read in place. Missing values are left out of the mean.
 */
export function driftReport(
  blocks: readonly Float32Array[],
  statistics: readonly FeatureStatistics[],
  threshold: number,
  top = 5,
): DriftReport {
  const width = statistics.length;
  const drifts: FeatureDrift[] = [];
  statistics.forEach((stat, col) => {
    if (stat.mean === null || !stat.std) return;
    let sum = 0;
    let count = 0;
    for (const block of blocks) {
      for (let at = col; at < block.length; at += width) {
        const v = block[at];
        if (Number.isNaN(v)) continue;
        sum += v;
        count++;
      }
    }
    if (count === 0) return;
    const batchMean = sum / count;
    drifts.push({ name: stat.name, z: (batchMean - stat.mean) / stat.std, batchMean, count });
  });
  drifts.sort((a, b) => Math.abs(b.z) - Math.abs(a.z));
  return {
    checked: drifts.length,
    maxAbsZ: drifts.length ? Math.abs(drifts[0].z) : 0,
    drifting: drifts.filter((d) => Math.abs(d.z) > threshold).length,
    worst: drifts.slice(0, top),
  };
}
