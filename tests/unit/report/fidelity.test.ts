/** The report's statistics on the real UCI dataset against statsmodels/scipy (scripts/reference/report/make_fixtures.py). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import { parseAirQuality } from '@air-quality/preprocessing';
import { analyse, type ReportAnalysis } from '../../../functions/report/analyse';
import { resolveOptions } from '../../../functions/report/options';
import { readDatasetText } from '../../support/dataset';

interface PollutantReference {
  acf: number[];
  acfConfint: Array<[number, number]>;
  pacf: number[];
  pacfConfint: Array<[number, number]>;
  stlResidualSample: { index: number[]; values: number[] };
  anomalyCount: number;
}

interface Reference {
  rows: number;
  correlation: { columns: string[]; excluded: string[]; r: number[][]; p: number[][]; n: number[][] };
  pollutants: Record<string, PollutantReference>;
}

const reference: Reference = JSON.parse(
  readFileSync(resolve(__dirname, '../../fixtures/report/uci_reference.json'), 'utf8'),
);

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Math.max(...Array.from(b, (v, i) => Math.abs(a[i]! - v)));

function pearsonOf(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  const ma = Array.from(a).reduce((s, v) => s + v, 0) / n;
  const mb = Array.from(b).reduce((s, v) => s + v, 0) / n;
  let sab = 0,
    saa = 0,
    sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe('report statistics on the UCI dataset match statsmodels and scipy', () => {
  let analysis: ReportAnalysis;
  before(() => {
    analysis = analyse(parseAirQuality(readDatasetText()), resolveOptions());
  });

  it('excludes the same mostly-missing columns and correlates the rest like scipy (1e-6)', () => {
    assert.equal(analysis.rows, reference.rows);
    assert.deepEqual(
      analysis.excluded.map((c) => c.id),
      reference.correlation.excluded,
    );
    const { columns, r, p, n } = analysis.correlation;
    assert.deepEqual(columns, reference.correlation.columns);
    assert.deepEqual(n, reference.correlation.n);
    for (const [i, row] of r.entries())
      assert.ok(maxAbsDiff(row, reference.correlation.r[i]!) < 1e-6, `r row ${columns[i]}`);
    for (const [i, row] of p.entries())
      assert.ok(maxAbsDiff(row, reference.correlation.p[i]!) < 1e-6, `p row ${columns[i]}`);
  });

  for (const [id, expected] of Object.entries(reference.pollutants)) {
    describe(id, () => {
      const pollutant = () => analysis.pollutants.find((p) => p.id === id)!;

      it('ACF and its Bartlett interval match statsmodels acf (1e-6)', () => {
        const { values, confint } = pollutant().acf;
        assert.ok(maxAbsDiff(values, expected.acf) < 1e-6);
        assert.ok(maxAbsDiff(confint.flat(), expected.acfConfint.flat()) < 1e-6);
      });

      it("PACF and its interval match statsmodels pacf's default 'ywadjusted' (1e-6)", () => {
        const { values, confint } = pollutant().pacf;
        assert.ok(maxAbsDiff(values, expected.pacf) < 1e-6, `pacf differs by ${maxAbsDiff(values, expected.pacf)}`);
        assert.ok(maxAbsDiff(confint.flat(), expected.pacfConfint.flat()) < 1e-6);
      });

      it('STL residual matches statsmodels STL (correlation ≥ 0.999, values to 1e-8)', () => {
        const residual = pollutant().stl.residual;
        const sample = expected.stlResidualSample.index.map((i) => residual[i]!);
        assert.ok(pearsonOf(sample, expected.stlResidualSample.values) >= 0.999);
        assert.ok(
          maxAbsDiff(sample, expected.stlResidualSample.values) < 1e-8,
          `residual differs by ${maxAbsDiff(sample, expected.stlResidualSample.values)}`,
        );
      });

      it('flags the same number of anomalies (within 2 %)', () => {
        const count = pollutant().anomalies.length;
        assert.ok(
          Math.abs(count - expected.anomalyCount) <= 0.02 * expected.anomalyCount,
          `${count} vs ${expected.anomalyCount}`,
        );
      });
    });
  }
});
