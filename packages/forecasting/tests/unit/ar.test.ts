import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fitDifferencedAr, forecastDifferencedAr, linearForecast } from '../../src/model/ar';
import { normalSource, simulateIntegratedAr } from './synthetic';

/** statsmodels' fit of the same series (packages/forecasting/scripts/ar_reference.py). */
const reference = JSON.parse(readFileSync(join(__dirname, '../fixtures/ar-reference.json'), 'utf8')) as {
  levels: number[];
  maxOrder: number;
  aicByOrder: Record<string, number>;
  order: number;
  intercept: number;
  coefficients: number[];
  residualVariance: number;
  observations: number;
  levelForecast: number[];
};

function assertClose(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected}`);
}

describe('ARIMA(p,1,0) baseline', () => {
  it('recovers the coefficients of a simulated process and AIC picks its order', () => {
    const levels = simulateIntegratedAr(6000, [0.5, -0.3, 0.15], 0.02, 11);
    const model = fitDifferencedAr(levels, { maxOrder: 8 });
    assert.equal(model.order, 3);
    for (const [i, phi] of [0.5, -0.3, 0.15].entries()) assertClose(model.coefficients[i], phi, 0.03, `phi${i + 1}`);
    assertClose(model.residualVariance, 1, 0.05, 'noise variance');
  });

  it('matches statsmodels AutoReg and ar_select_order on the reference series', () => {
    const model = fitDifferencedAr(reference.levels, { maxOrder: reference.maxOrder });
    for (const { order, aic } of model.selection)
      assertClose(aic, reference.aicByOrder[order], 1e-8, `AIC of order ${order}`);
    assert.equal(model.order, reference.order);
    assert.equal(model.observations, reference.observations);
    assertClose(model.intercept, reference.intercept, 1e-10, 'intercept');
    for (const [i, phi] of model.coefficients.entries())
      assertClose(phi, reference.coefficients[i], 1e-10, `phi${i + 1}`);
    assertClose(model.residualVariance, reference.residualVariance, 1e-10, 'residual variance');
    const forecast = forecastDifferencedAr(model, reference.levels, reference.levelForecast.length);
    for (const [h, level] of forecast.entries())
      assertClose(level, reference.levelForecast[h], 1e-9, `forecast h=${h + 1}`);
  });

  it('fits only equations whose lags were observed', () => {
    const levels = simulateIntegratedAr(3000, [0.6], 0, 12);
    const gappy = Float64Array.from(levels, (v, t) => (t % 50 === 7 ? NaN : v));
    const model = fitDifferencedAr(gappy, { minOrder: 1, maxOrder: 1 });
    // Each gap spoils two changes, and each spoiled change two equations of AR(1): lag and response.
    assert.equal(model.observations, 3000 - 1 - 1 - 60 * 3);
    assertClose(model.coefficients[0], 0.6, 0.05, 'phi1');
  });

  it('writes the recursive H-step forecast as one linear function of the last p + 1 levels', () => {
    const model = fitDifferencedAr(reference.levels, { maxOrder: reference.maxOrder });
    const noise = normalSource(13);
    for (const horizon of [1, 2, 6, 24]) {
      const operator = linearForecast(model, horizon);
      assert.equal(operator.weights.length, model.order + 1);
      assertClose(
        operator.weights.reduce((a, b) => a + b),
        1,
        1e-12,
        'a forecast of differences keeps the level: weights sum to 1',
      );
      for (let trial = 0; trial < 20; trial++) {
        const history = Array.from({ length: model.order + 1 }, () => 5 + noise());
        const recursive = forecastDifferencedAr(model, history, horizon)[horizon - 1];
        const linear = operator.weights.reduce(
          (sum, w, k) => sum + w * history[history.length - 1 - k],
          operator.intercept,
        );
        assertClose(linear, recursive, 1e-10, `h=${horizon}`);
      }
    }
  });

  it('names the problem when the history or the orders are unusable', () => {
    const model = fitDifferencedAr(reference.levels, { maxOrder: 3 });
    assert.throws(() => forecastDifferencedAr(model, [1, NaN, 2], 1), /needs the last 3 levels observed/);
    assert.throws(() => fitDifferencedAr(reference.levels, { minOrder: 4, maxOrder: 2 }), /0 <= minOrder <= maxOrder/);
    assert.throws(() => fitDifferencedAr([1, 2, 3, 4], { maxOrder: 3 }), /Supply a longer series or lower maxOrder/);
    assert.throws(() => fitDifferencedAr(new Array(50).fill(3), { maxOrder: 1 }), /rank deficient/);
  });
});
