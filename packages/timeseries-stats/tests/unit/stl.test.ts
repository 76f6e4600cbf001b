import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { stl, type StlOptions } from '../../src/stl';

interface SyntheticFixture {
  period: number;
  y: number[];
  cases: Record<string, { options: Record<string, number | boolean>; trend: number[]; seasonal: number[] }>;
}

const fixture: SyntheticFixture = JSON.parse(
  readFileSync(resolve(__dirname, '../fixtures/stl_synthetic.json'), 'utf8'),
);

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));

// statsmodels keyword → our option name
const optionNames: Record<string, keyof StlOptions> = {
  seasonal: 'seasonal',
  robust: 'robust',
  seasonal_deg: 'seasonalDeg',
  trend_deg: 'trendDeg',
  seasonal_jump: 'seasonalJump',
  trend_jump: 'trendJump',
  low_pass_jump: 'lowPassJump',
};

describe('stl against statsmodels on a small synthetic series', () => {
  for (const [name, expected] of Object.entries(fixture.cases)) {
    it(`reproduces trend and seasonal (${name})`, () => {
      const options = Object.fromEntries(Object.entries(expected.options).map(([k, v]) => [optionNames[k], v]));
      const result = stl(fixture.y, { period: fixture.period, ...options });
      assert.ok(
        maxAbsDiff(result.trend, expected.trend) < 1e-10,
        `trend differs by ${maxAbsDiff(result.trend, expected.trend)}`,
      );
      assert.ok(
        maxAbsDiff(result.seasonal, expected.seasonal) < 1e-10,
        `seasonal differs by ${maxAbsDiff(result.seasonal, expected.seasonal)}`,
      );
    });
  }

  it('down-weights the outliers only when robust', () => {
    assert.ok(stl(fixture.y, { period: fixture.period }).weights.every((w) => w === 1));
    const robust = stl(fixture.y, { period: fixture.period, robust: true });
    assert.ok(robust.weights[10]! < 0.5 && robust.weights[63]! < 0.5);
  });
});

describe('stl on hand-checkable series', () => {
  it('returns a pure seasonal pattern as seasonal with zero residual', () => {
    const pattern = [3, -1, -2, 0];
    const y = Array.from({ length: 40 }, (_, t) => pattern[t % 4]!);
    const { seasonal, trend, residual } = stl(y, { period: 4 });
    assert.ok(maxAbsDiff(seasonal, y) < 1e-9);
    assert.ok(maxAbsDiff(trend, new Array(40).fill(0)) < 1e-9);
    assert.ok(maxAbsDiff(residual, new Array(40).fill(0)) < 1e-9);
  });

  it('puts a straight line into the trend', () => {
    const y = Array.from({ length: 48 }, (_, t) => 2 + 0.5 * t);
    const { trend, seasonal } = stl(y, { period: 6 });
    assert.ok(maxAbsDiff(trend, y) < 1e-9);
    assert.ok(maxAbsDiff(seasonal, new Array(48).fill(0)) < 1e-9);
  });

  it('adds up to the input', () => {
    const y = fixture.y;
    const { seasonal, trend, residual } = stl(y, { period: fixture.period });
    assert.ok(
      maxAbsDiff(
        y.map((_, i) => seasonal[i]! + trend[i]! + residual[i]!),
        y,
      ) < 1e-12,
    );
  });

  it('names bad options and bad input', () => {
    assert.throws(() => stl(fixture.y, { period: 7, seasonal: 8 }), /seasonal must be an odd integer ≥ 3 \(got 8\)/);
    assert.throws(() => stl(fixture.y, { period: 7, trend: 7 }), /trend must be an odd integer ≥ 8/);
    assert.throws(() => stl([1, 2, 3], { period: 2 }), /at least two full periods \(4 values\)/);
    assert.throws(() => stl([1, NaN, 3, 4], { period: 2 }), /non-finite value at index 1/);
  });
});
