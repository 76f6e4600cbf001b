import type { FeatureMatrix } from './matrix';

/** Bin 0 holds missing values (NaN); value bins are 1..upperEdges[col].length. */
export const missingBin = 0;
/** Value bins per feature, so a bin index including the missing bin fits in a byte. */
export const maxValueBins = 255;

/**
 * Features quantised into histogram bins. Values are rounded to float32 first: that is the
 * precision ONNX Runtime compares them at, so a split learned here routes rows identically there.
 */
export interface BinnedFeatures {
  readonly rows: number;
  readonly cols: number;
  /** `bins[row * cols + col]`. */
  readonly bins: Uint8Array;
  /** `upperEdges[col][b - 1]` is the largest value in value bin `b`: a split after bin `b` is `x <= edge`. */
  readonly upperEdges: Float32Array[];
}

export function binFeatures(matrix: FeatureMatrix, maxBins: number = maxValueBins): BinnedFeatures {
  if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins > maxValueBins) {
    throw new Error(`maxBins must be an integer in [2, ${maxValueBins}], got ${maxBins}.`);
  }
  const { rows, cols, values } = matrix;
  const bins = new Uint8Array(rows * cols);
  const upperEdges: Float32Array[] = [];
  for (let col = 0; col < cols; col++) {
    const edges = quantileUpperEdges(observedColumn(matrix, col), maxBins);
    upperEdges.push(edges);
    for (let row = 0; row < rows; row++) bins[row * cols + col] = binOf(values[row * cols + col], edges);
  }
  return { rows, cols, bins, upperEdges };
}

function observedColumn({ values, rows, cols }: FeatureMatrix, col: number): Float32Array {
  const column = new Float32Array(rows);
  let count = 0;
  for (let row = 0; row < rows; row++) {
    const value = values[row * cols + col];
    if (!Number.isNaN(value)) column[count++] = value;
  }
  return column.subarray(0, count);
}

/** Upper edges at evenly spaced ranks; ties collapse, so a frequent value never straddles two bins. */
function quantileUpperEdges(observed: Float32Array, maxBins: number): Float32Array {
  const sorted = observed.slice().sort();
  const n = sorted.length;
  const edges: number[] = [];
  for (let k = 1; k <= maxBins && n > 0; k++) {
    const edge = sorted[Math.ceil((k * n) / maxBins) - 1];
    if (edges.length === 0 || edge > edges[edges.length - 1]) edges.push(edge);
  }
  return Float32Array.from(edges);
}

function binOf(value: number, upperEdges: Float32Array): number {
  if (Number.isNaN(value)) return missingBin;
  const x = Math.fround(value);
  let low = 0;
  let high = upperEdges.length - 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (x <= upperEdges[mid]) high = mid;
    else low = mid + 1;
  }
  return low + 1;
}
