import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { acf, autocovariance, pacf } from '../../src/correlogram';

const close = (actual: number, expected: number, tolerance = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not within ${tolerance} of ${expected}`);

describe('autocovariance', () => {
  it('divides by n, or by n − k when adjusted', () => {
    // 1..5 demeaned is −2..2: lag-1 products sum to 4, lag-0 to 10
    assert.deepEqual(autocovariance([1, 2, 3, 4, 5], 1, false), [2, 0.8]);
    assert.deepEqual(autocovariance([1, 2, 3, 4, 5], 1, true), [2, 1]);
  });
});

describe('acf', () => {
  it('matches hand-computed values and Bartlett bands for 1..5', () => {
    const { values, confint } = acf([1, 2, 3, 4, 5], 2);
    // lag 2 products: (−2)(0) + (−1)(1) + (0)(2) = −1 → −1/5 / 2
    for (const [k, v] of [1, 0.4, -0.1].entries()) close(values[k]!, v);
    assert.deepEqual(confint[0], [1, 1]);
    const z = 1.959963984540054;
    close(confint[1]![1] - values[1]!, z * Math.sqrt(1 / 5), 1e-12);
    close(confint[2]![1] - values[2]!, z * Math.sqrt((1 + 2 * 0.4 ** 2) / 5), 1e-12);
  });

  it('is −1 at odd lags of an alternating series', () => {
    const { values } = acf([1, -1, 1, -1, 1, -1, 1, -1], 3);
    close(values[1]!, -7 / 8);
    close(values[3]!, -5 / 8);
  });

  it('names the problem for gaps and for too many lags', () => {
    assert.throws(() => acf([1, NaN, 3], 1), /missing or non-finite value at index 1: fill gaps/);
    assert.throws(() => acf([1, 2, 3], 3), /nlags 3 is too large .* use at most 2/);
  });
});

describe('pacf', () => {
  it('equals the Yule–Walker solution with adjusted autocovariances', () => {
    const x = [1, 2, 3, 4, 5];
    const { values } = pacf(x, 2);
    // r = [2, 1, −1/3] (lag 2: −1/(5−2)); φ11 = 1/2; φ22 = (r2 − φ11·r1)/(r0 − φ11·r1) = (−1/3 − 1/2)/(2 − 1/2)
    close(values[1]!, 0.5);
    close(values[2]!, (-1 / 3 - 0.5) / 1.5);
  });

  it('recovers the coefficient of an AR(1) series and is small beyond lag 1, with 1/√n bands', () => {
    // x_t = 0.6·x_{t−1} + e_t with uniform noise from a fixed linear congruential generator
    let state = 1;
    const noise = () => {
      state = (state * 48271) % 2147483647;
      return state / 2147483647 - 0.5;
    };
    const x: number[] = [0];
    for (let t = 1; t < 4000; t++) x.push(0.6 * x[t - 1]! + noise());
    const { values, confint } = pacf(x, 5);
    close(values[1]!, 0.6, 0.05);
    for (const v of values.slice(2)) close(v, 0, 0.05);
    const half = 1.959963984540054 / Math.sqrt(x.length);
    for (const [lo, hi] of confint.slice(1)) close(hi - lo, 2 * half, 1e-12);
    assert.deepEqual(confint[0], [1, 1]);
  });

  it('refuses more lags than half the series', () => {
    assert.throws(() => pacf([1, 2, 3, 4, 5, 6], 4), /use at most 3/);
  });
});
