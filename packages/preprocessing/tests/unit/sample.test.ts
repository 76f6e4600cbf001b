import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeTable, preprocess, seededRandom, sampleRows, toRecords } from '../../src/index';
import { readDatasetText } from '../support/dataset';

const H = 3_600_000;
const n = 500;
const t = makeTable({
  timestamp: Array.from({ length: n }, (_, i) => Date.UTC(2004, 2, 10, 18) + i * H),
  x: Array.from({ length: n }, (_, i) => i),
});

describe('seeded sampling', () => {
  it('the seeded generator is deterministic and uniform-looking in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = Array.from({ length: 10_000 }, () => a.float());
    assert.deepEqual(
      xs.slice(0, 5),
      Array.from({ length: 5 }, () => b.float()),
    );
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    assert.ok(Math.abs(mean - 0.5) < 0.02, `mean ${mean}`);
  });

  it('returns the same rows for the same seed and different rows for another seed', () => {
    const s1 = sampleRows(t, 20, 7);
    assert.deepEqual(sampleRows(t, 20, 7), s1);
    const s2 = sampleRows(t, 20, 8);
    assert.notDeepEqual(
      s2.map((r) => r.x),
      s1.map((r) => r.x),
    );
    assert.equal(new Set(s1.map((r) => r.x)).size, 20, 'without replacement');
  });

  it('gives ISO-8601 UTC timestamps, in time order by default or in draw order', () => {
    const rows = sampleRows(t, 10, 3);
    assert.ok(rows.every((r) => /^\d{4}-\d\d-\d\dT\d\d:00:00\.000Z$/.test(r.timestamp)));
    const xs = rows.map((r) => r.x as number);
    assert.deepEqual(
      xs,
      [...xs].sort((a, b) => a - b),
    );
    const drawn = sampleRows(t, 10, 3, { order: 'draw' }).map((r) => r.x as number);
    assert.deepEqual(
      [...drawn].sort((a, b) => a - b),
      xs,
    );
    for (const r of rows)
      assert.equal(r.timestamp, new Date(Date.UTC(2004, 2, 10, 18) + (r.x as number) * H).toISOString());
  });

  it('validates count and seed', () => {
    assert.throws(() => sampleRows(t, n + 1, 1), /larger than the table \(500 rows\)/);
    assert.throws(() => sampleRows(t, 2, -1), /seed must be an integer/);
    assert.throws(() => sampleRows(t, 1.5, 1), /count must be a non-negative integer/);
    assert.deepEqual(sampleRows(t, 0, 1), []);
    assert.equal(sampleRows(t, n, 1).length, n);
  });

  it('samples the preprocessed dataset with its flags', () => {
    const { table } = preprocess(readDatasetText());
    const rows = sampleRows(table, 100, 2024);
    assert.equal(rows.length, 100);
    assert.ok(rows.every((r) => Array.isArray(r.imputed) && Array.isArray(r.clipped) && typeof r.co_gt === 'number'));
    assert.deepEqual(sampleRows(table, 100, 2024), rows);
    const all = toRecords(table);
    assert.equal(all[0].timestamp, '2004-03-10T18:00:00.000Z');
    assert.equal(all[all.length - 1].timestamp, '2005-04-04T14:00:00.000Z');
  });
});
