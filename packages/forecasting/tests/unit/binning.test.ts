import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { binFeatures } from '../../src/model/binning';
import { featureMatrix } from '../../src/model/matrix';

describe('feature binning', () => {
  it('gives every distinct value its own bin when they fit, and NaN bin 0', () => {
    const binned = binFeatures(featureMatrix(Float64Array.of(3, NaN, 1, 3, 2, 0.1), 1));
    assert.deepEqual(Array.from(binned.upperEdges[0]), [Math.fround(0.1), 1, 2, 3]);
    assert.deepEqual(Array.from(binned.bins), [4, 0, 2, 4, 3, 1]);
  });

  it('cuts at quantiles and never splits a repeated value across bins', () => {
    const values = Float64Array.from({ length: 1000 }, (_, i) => (i < 500 ? 7 : i));
    const binned = binFeatures(featureMatrix(values, 1), 10);
    const edges = Array.from(binned.upperEdges[0]);
    assert.deepEqual(edges, [7, 599, 699, 799, 899, 999]);
    const counts = edges.map((_, b) => binned.bins.filter((bin) => bin === b + 1).length);
    assert.deepEqual(counts, [500, 100, 100, 100, 100, 100]);
  });

  it('bins each column of a row-major matrix independently', () => {
    const binned = binFeatures(featureMatrix(Float64Array.of(1, 10, 2, NaN, 3, 30), 2));
    assert.deepEqual(Array.from(binned.upperEdges[1]), [10, 30]);
    assert.deepEqual(Array.from(binned.bins), [1, 1, 2, 0, 3, 2]);
  });

  it('rejects a bin count that does not fit a byte', () => {
    assert.throws(
      () => binFeatures(featureMatrix(Float64Array.of(1), 1), 256),
      /maxBins must be an integer in \[2, 255\], got 256/,
    );
  });
});
