import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clipToRanges, impute, makeTable, qcSummary, qcSummaryToCsv } from '../../src/index';

describe('QC summary', () => {
  const raw = makeTable({
    timestamp: [0, 1, 2, 3, 4].map((i) => i * 3_600_000),
    co_gt: [1, 3, null, 8, 2],
    x: [null, null, null, null, null],
  });
  const cleaned = impute(clipToRanges(raw).table, { strategy: 'mean' }).table;

  it('reports count, missing, share, min, max, mean, sample std, imputed and clipped per column', () => {
    const [co, x] = qcSummary(raw);
    // co_gt: 1, 3, 8, 2 → mean 3.5; sample variance ((2.5² + 0.5² + 4.5² + 1.5²) / 3) = 29/3
    assert.deepEqual(
      { ...co, std: undefined },
      {
        column: 'co_gt',
        unit: 'mg/m³',
        count: 4,
        missing: 1,
        missingShare: 0.2,
        min: 1,
        max: 8,
        mean: 3.5,
        std: undefined,
        imputed: 0,
        clipped: 0,
      },
    );
    assert.ok(Math.abs(co.std! - Math.sqrt(29 / 3)) < 1e-15);
    assert.deepEqual(x, {
      column: 'x',
      unit: '',
      count: 0,
      missing: 5,
      missingShare: 1,
      min: null,
      max: null,
      mean: null,
      std: null,
      imputed: 0,
      clipped: 0,
    });
    const [co2] = qcSummary(cleaned, ['co_gt']);
    // 8 clipped to 5 → values 1, 3, 5, 2 → mean 2.75 imputed into row 2
    assert.deepEqual([co2.count, co2.missing, co2.max, co2.mean, co2.imputed, co2.clipped], [5, 0, 5, 2.75, 1, 1]);
  });

  it('writes the summary as CSV with an empty cell for null', () => {
    const lines = qcSummaryToCsv(qcSummary(raw)).trimEnd().split('\n');
    assert.equal(lines[0], 'column,unit,count,missing,missing_share,min,max,mean,std,imputed,clipped');
    assert.match(lines[1], /^co_gt,mg\/m³,4,1,0\.2,1,8,3\.5,3\.10912\d+,0,0$/);
    assert.equal(lines[2], 'x,,0,5,1,,,,,0,0');
  });
});
