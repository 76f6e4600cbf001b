import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fillGapsLinearly, HOUR_MS, toHourlySeries } from '../../../functions/report/stats/series';

describe('toHourlySeries', () => {
  it('puts values on the hourly grid and leaves absent hours as NaN', () => {
    const t0 = Date.UTC(2004, 2, 10, 18);
    const series = toHourlySeries([t0 + 3 * HOUR_MS, t0, t0 + HOUR_MS], [4, 1, null]);
    assert.equal(series.start, t0);
    assert.deepEqual(Array.from(series.values), [1, NaN, NaN, 4]);
  });

  it('names duplicate and unaligned timestamps', () => {
    const t0 = Date.UTC(2004, 2, 10, 18);
    assert.throws(() => toHourlySeries([t0, t0], [1, 2]), /2004-03-10T18:00:00.000Z appears twice/);
    assert.throws(() => toHourlySeries([t0 + 1], [1]), /not a whole UTC hour/);
    assert.throws(() => toHourlySeries([], []), /empty table/);
  });
});

describe('fillGapsLinearly', () => {
  it('interpolates inner gaps and holds the nearest value at the ends', () => {
    assert.deepEqual(Array.from(fillGapsLinearly([NaN, 1, NaN, NaN, 4, NaN])), [1, 1, 2, 3, 4, 4]);
  });

  it('leaves a complete series unchanged and refuses an empty one', () => {
    assert.deepEqual(Array.from(fillGapsLinearly([3, 2, 1])), [3, 2, 1]);
    assert.throws(() => fillGapsLinearly([NaN, NaN]), /no observation at all/);
  });
});
