import { missingBin, type BinnedFeatures } from './binning';
import {
  buildHistogram,
  findBestSplit,
  subtractInPlace,
  type Histogram,
  type SplitCandidate,
  type SplitRules,
} from './histogram';
import type { Tree, TreeNode } from './tree';

export interface TreeGrowthOptions extends SplitRules {
  readonly maxDepth: number;
  readonly maxLeaves: number;
  readonly learningRate: number;
}

/** Largest float32: the threshold of a split that sends every observed value left and only missing ones right. */
const float32Max = 3.4028234663852886e38;

/** A leaf that may still be split: its rows are `rows[start..end)`. */
interface OpenLeaf {
  readonly node: number;
  readonly start: number;
  readonly end: number;
  readonly depth: number;
  readonly gradientSum: number;
  readonly histogram?: Histogram;
  readonly split?: SplitCandidate;
}

/**
 * Grows one tree best-first (LightGBM's leaf-wise order): always split the open leaf with the
 * largest gain, until `maxLeaves` or no leaf within `maxDepth` has a split worth taking.
 * `rows` (the sampled training rows) is reordered in place so every leaf owns a contiguous range.
 */
export function growTree(
  binned: BinnedFeatures,
  gradients: Float64Array,
  rows: Uint32Array,
  features: Uint32Array,
  options: TreeGrowthOptions,
): Tree {
  const nodes: TreeNode[] = [];
  const open: OpenLeaf[] = [];
  const canSplit = (start: number, end: number, depth: number) =>
    depth < options.maxDepth && end - start >= 2 * options.minSamplesLeaf;

  const addLeaf = (
    start: number,
    end: number,
    depth: number,
    gradientSum: number,
    histogram: Histogram | undefined,
  ) => {
    // A placeholder: replaced by a split node, or by the final leaf value once growth ends.
    const node = nodes.push({ kind: 'leaf', value: 0 }) - 1;
    const split =
      histogram && canSplit(start, end, depth)
        ? findBestSplit(histogram, binned, features, gradientSum, end - start, options)
        : undefined;
    open.push({ node, start, end, depth, gradientSum, histogram: split && histogram, split });
  };

  let rootGradient = 0;
  for (const row of rows) rootGradient += gradients[row];
  addLeaf(0, rows.length, 0, rootGradient, buildHistogram(binned, gradients, rows, 0, rows.length, features));

  while (open.length < options.maxLeaves) {
    const best = open.reduce<OpenLeaf | undefined>(
      (a, b) => (b.split && (!a?.split || b.split.gain > a.split.gain) ? b : a),
      undefined,
    );
    if (best?.split === undefined || best.histogram === undefined) break;
    const { split, start, end, depth } = best;
    open.splice(open.indexOf(best), 1);

    const middle = partition(binned, rows, start, end, split);
    let leftHistogram: Histogram | undefined;
    let rightHistogram: Histogram | undefined;
    if (canSplit(start, middle, depth + 1) || canSplit(middle, end, depth + 1)) {
      // Build the smaller child's histogram; the larger one is the parent's minus it.
      const leftIsSmaller = middle - start <= end - middle;
      const smaller = leftIsSmaller
        ? buildHistogram(binned, gradients, rows, start, middle, features)
        : buildHistogram(binned, gradients, rows, middle, end, features);
      const larger = subtractInPlace(best.histogram, smaller);
      [leftHistogram, rightHistogram] = leftIsSmaller ? [smaller, larger] : [larger, smaller];
    }
    const edges = binned.upperEdges[split.feature];
    nodes[best.node] = {
      kind: 'split',
      feature: split.feature,
      threshold: split.bin === edges.length ? float32Max : edges[split.bin - 1],
      missingGoesLeft: split.missingGoesLeft,
      left: nodes.length,
      right: nodes.length + 1,
    };
    addLeaf(start, middle, depth + 1, split.leftGradient, leftHistogram);
    addLeaf(middle, end, depth + 1, best.gradientSum - split.leftGradient, rightHistogram);
  }

  for (const leaf of open) {
    const weight = -leaf.gradientSum / (leaf.end - leaf.start + options.lambda);
    nodes[leaf.node] = { kind: 'leaf', value: Math.fround(options.learningRate * weight) };
  }
  return { nodes };
}

/** Moves the rows that go left to the front of `rows[start..end)`; returns where the right side begins. */
function partition(
  binned: BinnedFeatures,
  rows: Uint32Array,
  start: number,
  end: number,
  split: SplitCandidate,
): number {
  const { bins, cols } = binned;
  const goesLeft = (row: number) => {
    const bin = bins[row * cols + split.feature];
    return bin === missingBin ? split.missingGoesLeft : bin <= split.bin;
  };
  let left = start;
  let right = end - 1;
  while (left <= right) {
    if (goesLeft(rows[left])) {
      left++;
    } else {
      const row = rows[left];
      rows[left] = rows[right];
      rows[right--] = row;
    }
  }
  return left;
}
