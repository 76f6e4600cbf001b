import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { correlationMatrix, pearson, pearsonPValue } from '../../src/correlation';

describe('pearson', () => {
  it('uses only pairs where both values are present', () => {
    const result = pearson([1, 2, NaN, 4, 5], [2, 4, 6, NaN, 10]);
    assert.equal(result.n, 3);
    assert.equal(result.r, 1);
    assert.equal(result.p, 0);
  });

  it('matches a hand-computed r and its t-test p-value', () => {
    // x = 1..4, y = 1,3,2,4: sxy = 4, sxx = syy = 5 → r = 0.8; t = 0.8·√(2/0.36) = 1.8856; p (2 df) = 0.2
    const { r, p, n } = pearson([1, 2, 3, 4], [1, 3, 2, 4]);
    assert.equal(n, 4);
    assert.ok(Math.abs(r - 0.8) < 1e-15);
    assert.ok(Math.abs(p - 0.2) < 1e-12, `p = ${p}`);
  });

  it('has no p-value with fewer than three pairs', () => {
    assert.ok(Number.isNaN(pearsonPValue(0.5, 2)));
  });

  it('rejects series of different lengths', () => {
    assert.throws(() => pearson([1, 2], [1]), /different lengths/);
  });
});

describe('correlationMatrix', () => {
  it('is symmetric with a unit diagonal', () => {
    const m = correlationMatrix([
      { name: 'a', values: [1, 2, 3, 4] },
      { name: 'b', values: [4, 3, 2, 1] },
      { name: 'c', values: [1, 3, 2, 4] },
    ]);
    assert.deepEqual(m.columns, ['a', 'b', 'c']);
    assert.equal(m.r[0]![1], -1);
    assert.equal(m.r[1]![0], -1);
    for (const [i, row] of m.r.entries()) assert.ok(Math.abs(row[i]! - 1) < 1e-15);
    assert.equal(m.p[0]![2], m.p[2]![0]);
  });
});
