import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mae, rmse } from '../../src/evaluation/metrics';
import { alignHorizon } from '../../src/evaluation/persistence';

describe('error metrics', () => {
  it('computes MAE and RMSE by hand', () => {
    // errors 1, -2, 0, 3
    assert.equal(mae([2, 0, 5, 7], [1, 2, 5, 4]), 6 / 4);
    assert.equal(rmse([2, 0, 5, 7], [1, 2, 5, 4]), Math.sqrt(14 / 4));
  });

  it('scores only the observed rows', () => {
    // The unobserved row holds an imputed actual and a wild prediction: neither may count.
    assert.equal(mae([2, 100, 5], [1, NaN, 5], [1, 0, 1]), 0.5);
    assert.equal(rmse([2, 100, 5], [1, NaN, 5], [true, false, true]), Math.sqrt(0.5));
  });

  it('names the problem with misaligned or unscorable input', () => {
    assert.throws(() => mae([1, 2], [1]), /Predictions \(2\), actual values \(1\) must have one entry per row/);
    assert.throws(() => mae([1, 2], [1, NaN]), /Actual value at row 1 is NaN but marked observed/);
    assert.throws(() => mae([1, NaN], [1, 2]), /Prediction at row 1 is NaN/);
    assert.throws(() => mae([1], [1], [0]), /excludes every row/);
  });
});

describe('horizon alignment and persistence', () => {
  it('pairs each origin with the level H hours later and forecasts it by the level now', () => {
    const { target, targetObserved, persistence } = alignHorizon([10, 11, 12, 13, 14], [1, 1, 0, 1, 1], 2);
    assert.deepEqual(Array.from(target), [12, 13, 14, NaN, NaN]);
    assert.deepEqual(Array.from(targetObserved), [0, 1, 1, 0, 0]);
    assert.deepEqual(Array.from(persistence), [10, 11, 12, 13, 14]);
    // Persistence MAE over the scorable origins: |11 - 13| and |12 - 14|.
    assert.equal(mae(persistence, target, targetObserved), 2);
  });

  it('rejects a bad horizon or mask', () => {
    assert.throws(() => alignHorizon([1, 2], [1, 1], 0), /Horizon must be an integer >= 1 hour, got 0/);
    assert.throws(() => alignHorizon([1, 2], [1], 1), /observed mask has 1 entries but the series has 2/);
  });
});
