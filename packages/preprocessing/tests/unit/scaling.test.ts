import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  applyMinMax,
  applyZScore,
  fitMinMax,
  fitZScore,
  invertMinMax,
  invertZScore,
  makeTable,
  minMaxValue,
  numbers,
  type MinMaxParams,
} from '../../src/index';

const t = makeTable({
  timestamp: [0, 1, 2, 3],
  a: [2, 4, null, 10],
  c: [5, 5, 5, null],
  e: [null, null, null, null],
  keep: [1, 2, 3, 4],
});

describe('min-max scaling', () => {
  it('fits JSON-serialisable parameters and maps to [0, 1] (hand: (4 - 2) / 8 = 0.25)', () => {
    const params = fitMinMax(t, ['a', 'c', 'e']);
    assert.deepEqual(params, { kind: 'minmax', columns: { a: { min: 2, max: 10 }, c: { min: 5, max: 5 }, e: null } });
    const stored: MinMaxParams = JSON.parse(JSON.stringify(params));
    const scaled = applyMinMax(t, stored);
    assert.deepEqual(numbers(scaled, 'a'), [0, 0.25, null, 1]);
    assert.deepEqual(numbers(scaled, 'c'), [0, 0, 0, null], 'a constant column maps to 0, not NaN');
    assert.deepEqual(numbers(scaled, 'e'), [null, null, null, null]);
    assert.deepEqual(numbers(scaled, 'keep'), [1, 2, 3, 4], 'columns without parameters are untouched');
  });

  it('round-trips through the inverse', () => {
    const params = fitMinMax(t, ['a', 'c']);
    const back = invertMinMax(applyMinMax(t, params), params);
    assert.deepEqual(numbers(back, 'a'), numbers(t, 'a'));
    assert.deepEqual(numbers(back, 'c'), numbers(t, 'c'));
    // values outside the fitted range extrapolate linearly and still invert exactly
    const other = makeTable({ timestamp: [0], a: [18], c: [7] });
    assert.equal(minMaxValue(18, params.columns.a), 2);
    assert.deepEqual(numbers(invertMinMax(applyMinMax(other, params), params), 'a'), [18]);
  });

  it('fits on the measurement columns by default and rejects a table lacking a fitted column', () => {
    assert.deepEqual(Object.keys(fitMinMax(t).columns), ['a', 'c', 'e', 'keep']);
    assert.throws(
      () => applyMinMax(makeTable({ timestamp: [0], b: [1] }), fitMinMax(t, ['a'])),
      /fitted on column "a", which this table lacks/,
    );
    assert.throws(() => applyMinMax(t, { kind: 'zscore', columns: {} } as never), /Expected minmax parameters/);
  });
});

describe('z-score scaling', () => {
  it('uses the population std, maps constants to 0 and round-trips', () => {
    const params = fitZScore(t, ['a', 'c', 'e']);
    // a: mean (2 + 4 + 10) / 3 = 16/3; population variance = ((2-16/3)^2 + (4-16/3)^2 + (10-16/3)^2) / 3 = 104/9
    assert.ok(Math.abs(params.columns.a!.mean - 16 / 3) < 1e-15);
    assert.ok(Math.abs(params.columns.a!.std - Math.sqrt(104 / 9)) < 1e-15);
    assert.deepEqual(params.columns.c, { mean: 5, std: 0 });
    assert.equal(params.columns.e, null);
    const scaled = applyZScore(t, params);
    assert.deepEqual(numbers(scaled, 'c'), [0, 0, 0, null]);
    const back = numbers(invertZScore(scaled, JSON.parse(JSON.stringify(params))), 'a');
    for (const [i, v] of back.entries())
      assert.ok(v === numbers(t, 'a')[i] || Math.abs((v as number) - (numbers(t, 'a')[i] as number)) < 1e-12);
  });
});
