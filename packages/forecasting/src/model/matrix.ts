/** A dense row-major feature matrix: `values[row * cols + col]`, NaN marks a missing value. */
export interface FeatureMatrix {
  readonly values: Float64Array | Float32Array;
  readonly rows: number;
  readonly cols: number;
}

export function featureMatrix(values: Float64Array | Float32Array, cols: number): FeatureMatrix {
  if (!Number.isInteger(cols) || cols < 1)
    throw new Error(`Feature matrix needs at least one column, got cols=${cols}.`);
  if (values.length % cols !== 0) {
    throw new Error(
      `Feature matrix has ${values.length} values, not a multiple of cols=${cols}; pass row-major values of rows × cols.`,
    );
  }
  return { values, rows: values.length / cols, cols };
}

/** Rows `[start, end)` as a matrix sharing the same buffer. */
export function sliceRows(matrix: FeatureMatrix, start: number, end: number): FeatureMatrix {
  return {
    values: matrix.values.subarray(start * matrix.cols, end * matrix.cols),
    rows: end - start,
    cols: matrix.cols,
  };
}

/** Rejects targets that cannot be fitted: the caller keeps only rows whose target was observed. */
export function assertFittable(matrix: FeatureMatrix, target: ArrayLike<number>): void {
  if (target.length !== matrix.rows) {
    throw new Error(
      `Target has ${target.length} values but the feature matrix has ${matrix.rows} rows; align them row by row.`,
    );
  }
  for (let i = 0; i < target.length; i++) {
    if (!Number.isFinite(target[i])) {
      throw new Error(`Target at row ${i} is ${target[i]}; drop rows whose target was not observed before fitting.`);
    }
  }
}
