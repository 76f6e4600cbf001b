import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maeDifferenceInterval } from '../../src/evaluation/bootstrap';
import { mae } from '../../src/evaluation/metrics';
import { normalSource } from './synthetic';

/**
 * Against an all-zero truth the baseline is off by exactly 1 and the model by 1 + μ + u(t), u an
 * AR(1) with coefficient 0.8: the true MAE difference is μ, and its errors are autocorrelated.
 */
function simulatedCase(rows: number, trueDifference: number, seed: number) {
  const noise = normalSource(seed);
  let u = 0;
  for (let t = 0; t < 100; t++) u = 0.8 * u + 0.1 * noise();
  const model = Array.from({ length: rows }, () => {
    u = 0.8 * u + 0.1 * noise();
    return 1 + trueDifference + u;
  });
  return {
    model,
    baseline: new Array(rows).fill(1),
    actual: new Array(rows).fill(0),
    observed: new Array(rows).fill(1),
  };
}

function coverage(blockLength: number, trueDifference: number): number {
  let covered = 0;
  const replications = 200;
  for (let seed = 0; seed < replications; seed++) {
    const { model, baseline, actual, observed } = simulatedCase(480, trueDifference, seed);
    const interval = maeDifferenceInterval(model, baseline, actual, observed, { blockLength, resamples: 300, seed });
    if (interval.lower <= trueDifference && trueDifference <= interval.upper) covered++;
  }
  return covered / replications;
}

describe('moving-block bootstrap of the MAE difference', () => {
  it('covers the true difference at about the nominal rate on autocorrelated errors', (t) => {
    const blockCoverage = coverage(24, -0.2);
    assert.ok(
      blockCoverage >= 0.88 && blockCoverage <= 0.99,
      `95% intervals covered the truth ${blockCoverage} of the time`,
    );
    // Resampling single hours ignores the autocorrelation and gives intervals that are too narrow.
    const hourlyCoverage = coverage(1, -0.2);
    assert.ok(hourlyCoverage < blockCoverage - 0.15, `hourly ${hourlyCoverage} vs daily blocks ${blockCoverage}`);
    t.diagnostic(`coverage of 95% intervals: daily blocks ${blockCoverage}, single hours ${hourlyCoverage}`);
  });

  it('estimates MAE(model) − MAE(baseline) on the observed rows and is reproducible by seed', () => {
    const { model, baseline, actual } = simulatedCase(240, 0.3, 5);
    const observed = model.map((_, t) => (t % 5 === 0 ? 0 : 1));
    const interval = maeDifferenceInterval(model, baseline, actual, observed, { seed: 9, resamples: 200 });
    assert.ok(Math.abs(interval.difference - (mae(model, actual, observed) - mae(baseline, actual, observed))) < 1e-12);
    assert.equal(interval.scoredRows, 192);
    assert.ok(interval.lower < interval.difference && interval.difference < interval.upper);
    assert.deepEqual(maeDifferenceInterval(model, baseline, actual, observed, { seed: 9, resamples: 200 }), interval);
    assert.notDeepEqual(
      maeDifferenceInterval(model, baseline, actual, observed, { seed: 10, resamples: 200 }),
      interval,
    );
  });

  it('names the problem with unusable settings', () => {
    const { model, baseline, actual, observed } = simulatedCase(10, 0, 1);
    assert.throws(
      () => maeDifferenceInterval(model, baseline, actual, observed),
      /blockLength must be an integer in \[1, 10\]/,
    );
    assert.throws(
      () => maeDifferenceInterval(model, baseline, actual, observed, { blockLength: 2, confidence: 95 }),
      /confidence must be in \(0, 1\)/,
    );
  });
});
