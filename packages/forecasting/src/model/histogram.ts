import { maxValueBins, type BinnedFeatures } from './binning';

const binsPerFeature = maxValueBins + 1;

/**
 * Gradient sum and row count per (feature, bin), interleaved at `((feature * 256 + bin) * 2)`.
 * Squared loss has a hessian of 1 per row, so the row count is the hessian sum.
 */
export type Histogram = Float64Array;

export function emptyHistogram(cols: number): Histogram {
  return new Float64Array(cols * binsPerFeature * 2);
}

/** Accumulates rows `rows[start..end)` for the sampled `features`. */
export function buildHistogram(
  binned: BinnedFeatures,
  gradients: Float64Array,
  rows: Uint32Array,
  start: number,
  end: number,
  features: Uint32Array,
): Histogram {
  const histogram = emptyHistogram(binned.cols);
  const { bins, cols } = binned;
  for (let i = start; i < end; i++) {
    const row = rows[i];
    const gradient = gradients[row];
    const rowOffset = row * cols;
    for (let k = 0; k < features.length; k++) {
      const feature = features[k];
      const slot = (feature * binsPerFeature + bins[rowOffset + feature]) * 2;
      histogram[slot] += gradient;
      histogram[slot + 1] += 1;
    }
  }
  return histogram;
}

/** The sibling's histogram is the parent's minus this child's: turns `parent` into it, in place. */
export function subtractInPlace(parent: Histogram, child: Histogram): Histogram {
  for (let i = 0; i < parent.length; i++) parent[i] -= child[i];
  return parent;
}

export interface SplitRules {
  /** L2 penalty on leaf weights. */
  readonly lambda: number;
  /** Fewest training rows in a child. */
  readonly minSamplesLeaf: number;
  /** Least loss reduction worth a split (XGBoost's gamma). */
  readonly minSplitGain: number;
}

export interface SplitCandidate {
  readonly feature: number;
  /** Value bins `1..bin` go left. */
  readonly bin: number;
  readonly missingGoesLeft: boolean;
  readonly gain: number;
  readonly leftGradient: number;
  readonly leftCount: number;
}

function leafScore(gradientSum: number, hessianSum: number, lambda: number): number {
  return (gradientSum * gradientSum) / (hessianSum + lambda);
}

/**
 * Best split over every value-bin boundary of the sampled features, by XGBoost's gain
 * ½ [score(left) + score(right) − score(parent)] with score = G² / (H + λ). Missing values try
 * both sides; a feature with no missing value in this node sends them to the larger child, as
 * scikit-learn's histogram boosting does, so unseen NaNs at prediction time follow the majority.
 */
export function findBestSplit(
  histogram: Histogram,
  binned: BinnedFeatures,
  features: Uint32Array,
  gradientSum: number,
  count: number,
  rules: SplitRules,
): SplitCandidate | undefined {
  const parentScore = leafScore(gradientSum, count, rules.lambda);
  // Beating this children score is a gain above minSplitGain.
  const search: SplitSearch = {
    gradientSum,
    count,
    rules,
    bestScore: parentScore + 2 * rules.minSplitGain,
    best: undefined,
  };
  for (const feature of features) {
    const base = feature * binsPerFeature * 2;
    const missingG = histogram[base];
    const missingH = histogram[base + 1];
    let valueG = 0;
    let valueH = 0;
    for (let bin = 1; bin <= binned.upperEdges[feature].length; bin++) {
      const binH = histogram[base + bin * 2 + 1];
      // An empty bin splits the rows as the bin before it did.
      if (binH === 0) continue;
      valueG += histogram[base + bin * 2];
      valueH += binH;
      if (missingH > 0) {
        consider(search, feature, bin, true, valueG + missingG, valueH + missingH);
        consider(search, feature, bin, false, valueG, valueH);
      } else {
        consider(search, feature, bin, valueH >= count - valueH, valueG, valueH);
      }
    }
  }
  return search.best && { ...search.best, gain: 0.5 * (search.bestScore - parentScore) };
}

/** The node being split and the best candidate so far (a plain object: hot-loop state stays monomorphic). */
interface SplitSearch {
  readonly gradientSum: number;
  readonly count: number;
  readonly rules: SplitRules;
  bestScore: number;
  best: Omit<SplitCandidate, 'gain'> | undefined;
}

function consider(
  search: SplitSearch,
  feature: number,
  bin: number,
  missingGoesLeft: boolean,
  leftG: number,
  leftH: number,
): void {
  const rightH = search.count - leftH;
  const { lambda, minSamplesLeaf } = search.rules;
  if (leftH < minSamplesLeaf || rightH < minSamplesLeaf) return;
  const score = leafScore(leftG, leftH, lambda) + leafScore(search.gradientSum - leftG, rightH, lambda);
  if (score > search.bestScore) {
    search.bestScore = score;
    search.best = { feature, bin, missingGoesLeft, leftGradient: leftG, leftCount: leftH };
  }
}
