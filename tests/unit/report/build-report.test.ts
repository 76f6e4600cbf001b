import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { table } from 'arquero';
import { buildReport, type Artifact } from '../../../functions/report/report';

const HOUR = 3_600_000;
const POLLUTANTS = ['co_gt', 'c6h6_gt', 'nox_gt', 'no2_gt'];
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Three weeks of hourly data with a daily cycle, a few spikes, some gaps and an almost empty NMHC column. */
function syntheticTable() {
  const hours = 21 * 24;
  const start = Date.UTC(2004, 2, 15);
  const wave = (t: number, level: number, phase: number) =>
    level *
    (1 + 0.5 * Math.sin((2 * Math.PI * (t + phase)) / 24) + 0.1 * Math.cos(1.3 * t * t) + (t % 97 === 50 ? 3 : 0));
  const column = (level: number, phase: number) =>
    Array.from({ length: hours }, (_, t) => (t % 41 === 7 ? null : wave(t, level, phase)));
  const rows = Array.from({ length: hours }, (_, t) => t).filter((t) => t !== 100); // one absent hour
  const pick = (values: (number | null)[]) => rows.map((t) => values[t]!);
  return table({
    timestamp: rows.map((t) => start + t * HOUR),
    co_gt: pick(column(2, 0)),
    c6h6_gt: pick(column(9, 1)),
    nox_gt: pick(column(200, 2)),
    no2_gt: pick(column(100, 3)),
    nmhc_gt: rows.map((t) => (t % 10 === 0 ? 150 : null)),
    t: pick(column(15, 12)),
  });
}

const text = (a: Artifact) => (typeof a.body === 'string' ? a.body : Buffer.from(a.body).toString('utf8'));

describe('buildReport', () => {
  let artifacts: Artifact[];
  const byName = (name: string) => artifacts.find((a) => a.name === name)!;
  before(async () => {
    artifacts = await buildReport(syntheticTable());
  });

  it('produces exactly the prototype artifact names', () => {
    const expected = [
      'daily_pattern.png',
      'weekly_pattern.png',
      'correlation_matrix.png',
      'autocorrelation.png',
      'partial_autocorrelation.png',
      ...POLLUTANTS.flatMap((p) => [`${p}_decomposition.png`, `${p}_anomalies.png`]),
      'correlation_matrix.csv',
      'correlation_matrix_pvalues.csv',
      'acf.csv',
      'pacf.csv',
      'anomalies.csv',
      'summary.md',
      'index.html',
    ];
    assert.deepEqual(artifacts.map((a) => a.name).sort(), expected.sort());
  });

  it('renders every chart as a PNG', () => {
    for (const a of artifacts.filter((x) => x.name.endsWith('.png'))) {
      assert.equal(a.contentType, 'image/png');
      assert.ok(a.body instanceof Uint8Array && a.body.length > 10_000, `${a.name} is too small to be a chart`);
      assert.deepEqual([...a.body.subarray(0, 8)], PNG_SIGNATURE, `${a.name} lacks the PNG signature`);
    }
  });

  it('writes CSVs with the expected headers', () => {
    const columns = 'co_gt,c6h6_gt,nox_gt,no2_gt,t';
    assert.equal(text(byName('correlation_matrix.csv')).split('\n')[0], `column,${columns}`);
    assert.equal(text(byName('correlation_matrix_pvalues.csv')).split('\n')[0], `column,${columns}`);
    assert.equal(text(byName('acf.csv')).split('\n')[0], 'pollutant,lag,acf,confint_lower,confint_upper');
    assert.equal(text(byName('pacf.csv')).split('\n')[0], 'pollutant,lag,pacf,confint_lower,confint_upper');
    assert.equal(text(byName('acf.csv')).trim().split('\n').length, 1 + 4 * 49);
    const anomalies = text(byName('anomalies.csv')).trim().split('\n');
    assert.equal(anomalies[0], 'timestamp,pollutant,value,residual,robust_z');
    assert.ok(anomalies.length > 1, 'the planted spikes should be flagged');
  });

  it('names the excluded column in the summary and embeds every chart in index.html', () => {
    assert.match(
      text(byName('summary.md')),
      /Excluded for missing more than 50\.0 % of the hours: nmhc_gt \(90\.\d % missing\)/,
    );
    const html = text(byName('index.html'));
    const embedded = html.match(/<img src="data:image\/png;base64,/g) ?? [];
    assert.equal(embedded.length, artifacts.filter((a) => a.name.endsWith('.png')).length);
    assert.match(html, /<table>/);
  });

  it('rejects bad options and tables, naming the fix', async () => {
    await assert.rejects(
      buildReport(syntheticTable(), { anomalyThreshold: -1 }),
      /Invalid report options:[\s\S]*anomalyThreshold/,
    );
    await assert.rejects(buildReport(syntheticTable(), { pollutants: ['o3'] }), /names o3, which the table lacks/);
    const short = table({ timestamp: [0, HOUR], co_gt: [1, 2] });
    await assert.rejects(buildReport(short, { pollutants: ['co_gt'] }), /spans 2 hours; the report needs at least 96/);
  });
});
