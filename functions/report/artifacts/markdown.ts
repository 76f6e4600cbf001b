/** The report as Markdown: summary.md, and (with details and embedded images) the body of index.html. */
import { from } from 'arquero';
import { timestampAt, type ReportAnalysis } from '../analyse';
import { columnLabel } from '../charts/labels';
import { titled } from '../charts/specs';
import { WEEKDAY_NAMES } from '@air-quality/timeseries-stats';
import { componentStrength, stlSpans } from '@air-quality/timeseries-stats';
import type { AnomalyRow } from './csv';

export interface MarkdownOptions {
  /** Add the full tables (matrices, correlograms, every anomaly). */
  details: boolean;
}

const percent = (share: number) => `${(100 * share).toFixed(1)} %`;
const fixed = (digits: number) => (v: number) => (Number.isNaN(v) ? '–' : v.toFixed(digits));
// p underflows to 0 for the strongest pairs: say so rather than print 0.
const pValue = (p: number) =>
  Number.isNaN(p) ? '–' : p === 0 ? '< 1e-300' : p < 1e-4 ? p.toExponential(1) : p.toFixed(4);
const isoHour = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
const markdownTable = (rows: object[]) => from(rows).toMarkdown();
/** An image artifact by its name (index.html swaps in a data URI after parsing). */
const image = (name: string, alt: string) => `![${alt}](${name})`;
const argExtreme = (values: number[], better: (a: number, b: number) => boolean) =>
  values.reduce((best, v, i) => (!Number.isNaN(v) && (best < 0 || better(v, values[best]!)) ? i : best), -1);

function coverageSection(a: ReportAnalysis): string {
  const rows = a.coverage.map((c) => ({
    column: c.id,
    name: columnLabel(c.id).label,
    'hours present': c.present,
    missing: percent(c.missingFraction),
  }));
  const excluded = a.excluded.length
    ? `Excluded for missing more than ${percent(a.options.maxMissingFraction)} of the hours: ${a.excluded.map((c) => `${c.id} (${percent(c.missingFraction)} missing)`).join(', ')}.`
    : `No column misses more than ${percent(a.options.maxMissingFraction)} of the hours.`;
  return `## Data coverage\n\n${markdownTable(rows)}\n\n${excluded}`;
}

function patternSection(a: ReportAnalysis): string {
  const rows = a.pollutants.map((p) => ({
    pollutant: titled(columnLabel(p.id)),
    'peak hour (UTC)': argExtreme(p.byHourOfDay, (x, y) => x > y),
    'lowest hour (UTC)': argExtreme(p.byHourOfDay, (x, y) => x < y),
    'peak day': WEEKDAY_NAMES[argExtreme(p.byDayOfWeek, (x, y) => x > y)] ?? '–',
    'lowest day': WEEKDAY_NAMES[argExtreme(p.byDayOfWeek, (x, y) => x < y)] ?? '–',
  }));
  return [
    '## Daily and weekly patterns',
    markdownTable(rows),
    image('daily_pattern.png', 'Mean by hour of day'),
    image('weekly_pattern.png', 'Mean by day of week'),
  ].join('\n\n');
}

function correlationSection(a: ReportAnalysis, o: MarkdownOptions): string {
  const { columns, r, p, n } = a.correlation;
  const pairs = columns.flatMap((x, i) => columns.slice(i + 1).map((y, k) => ({ i, j: i + 1 + k, x, y })));
  const strongest = pairs
    .filter(({ i, j }) => !Number.isNaN(r[i]![j]!))
    .sort((u, v) => Math.abs(r[v.i]![v.j]!) - Math.abs(r[u.i]![u.j]!))
    .slice(0, 8)
    .map(({ i, j, x, y }) => ({
      pair: `${x} – ${y}`,
      r: fixed(3)(r[i]![j]!),
      p: pValue(p[i]![j]!),
      'pairs used': n[i]![j]!,
    }));
  const parts = [
    '## Correlation',
    "Pearson r on pairwise-complete hours; two-sided p-values from Student's t with n − 2 degrees of freedom.",
    `Strongest pairs:\n\n${markdownTable(strongest)}`,
    image('correlation_matrix.png', 'Correlation matrix'),
  ];
  if (o.details) {
    const matrix = (values: number[][], format: (v: number) => string) =>
      markdownTable(
        columns.map((name, i) => ({
          column: name,
          ...Object.fromEntries(columns.map((c, j) => [c, format(values[i]![j]!)])),
        })),
      );
    parts.push(`### r\n\n${matrix(r, fixed(3))}`, `### p-values\n\n${matrix(p, pValue)}`);
  }
  return parts.join('\n\n');
}

function autocorrelationSection(a: ReportAnalysis, o: MarkdownOptions): string {
  const lags = [1, 2, 24].filter((k) => k <= a.options.nlags);
  const rows = a.pollutants.map((p) => ({
    pollutant: p.id,
    ...Object.fromEntries(lags.map((k) => [`ACF lag ${k}`, fixed(3)(p.acf.values[k]!)])),
    ...Object.fromEntries(lags.map((k) => [`PACF lag ${k}`, fixed(3)(p.pacf.values[k]!)])),
  }));
  const parts = [
    '## Autocorrelation',
    `Lags 0–${a.options.nlags} h on the gap-filled series; ${percent(1 - a.options.alpha)} bands by Bartlett's formula (ACF) and 1/√n (PACF, Yule–Walker).`,
    markdownTable(rows),
    image('autocorrelation.png', 'Autocorrelation'),
    image('partial_autocorrelation.png', 'Partial autocorrelation'),
  ];
  if (o.details) {
    for (const which of ['acf', 'pacf'] as const) {
      const table = a.pollutants[0]![which].values.map((_, lag) => ({
        lag,
        ...Object.fromEntries(a.pollutants.map((p) => [p.id, fixed(4)(p[which].values[lag]!)])),
      }));
      parts.push(`<details><summary>${which.toUpperCase()} values</summary>\n\n${markdownTable(table)}\n\n</details>`);
    }
  }
  return parts.join('\n\n');
}

function stlSection(a: ReportAnalysis): string {
  const spans = stlSpans({ period: a.options.period, ...a.options.stl });
  const rows = a.pollutants.map((p) => ({
    pollutant: titled(columnLabel(p.id)),
    'seasonal strength': fixed(3)(componentStrength(p.stl.seasonal, p.stl.residual)),
    'trend strength': fixed(3)(componentStrength(p.stl.trend, p.stl.residual)),
  }));
  return [
    '## Seasonal-trend decomposition (STL)',
    `Period ${a.options.period} h; LOESS spans seasonal ${spans.seasonal}, trend ${spans.trend}, low-pass ${spans.lowPass}; ${a.options.stl.robust ? 'robust' : 'not robust'} (statsmodels' defaults otherwise). Strength = max(0, 1 − var(residual)/var(component + residual)).`,
    markdownTable(rows),
    ...a.pollutants.map((p) => image(`${p.id}_decomposition.png`, `${p.id} decomposition`)),
  ].join('\n\n');
}

function anomalySection(a: ReportAnalysis, anomalies: readonly AnomalyRow[], o: MarkdownOptions): string {
  const rows = a.pollutants.map((p) => {
    const observed = p.observed.filter((v) => !Number.isNaN(v)).length;
    return {
      pollutant: p.id,
      flagged: p.anomalies.length,
      'share of observed hours': percent(p.anomalies.length / observed),
      'residual median': fixed(4)(p.scores.median),
      MAD: fixed(4)(p.scores.mad),
    };
  });
  const parts = [
    '## Anomalies',
    `STL residuals at observed hours, robust z = 0.6745·(r − median)/MAD, flagged where |z| > ${a.options.anomalyThreshold}. All flagged hours are in anomalies.csv.`,
    markdownTable(rows),
    ...a.pollutants.map((p) => image(`${p.id}_anomalies.png`, `${p.id} anomalies`)),
  ];
  if (o.details && anomalies.length > 0) {
    const table = anomalies.map((r) => ({
      ...r,
      timestamp: isoHour(Date.parse(r.timestamp)),
      value: fixed(3)(r.value),
      residual: fixed(3)(r.residual),
      robust_z: fixed(2)(r.robust_z),
    }));
    parts.push(
      `<details><summary>All ${anomalies.length} flagged hours</summary>\n\n${markdownTable(table)}\n\n</details>`,
    );
  }
  return parts.join('\n\n');
}

export function reportMarkdown(
  a: ReportAnalysis,
  anomalies: readonly AnomalyRow[],
  artifactNames: readonly string[],
  o: MarkdownOptions,
): string {
  const span = `${isoHour(a.start)} to ${isoHour(timestampAt(a, a.hours - 1))} UTC: ${a.hours} hours, ${a.rows} rows.`;
  const sections = [
    '# Air-quality report',
    span,
    coverageSection(a),
    patternSection(a),
    correlationSection(a, o),
    autocorrelationSection(a, o),
    stlSection(a),
    anomalySection(a, anomalies, o),
    `## Files\n\n${artifactNames.map((name) => `- [${name}](${name})`).join('\n')}`,
  ];
  return `${sections.join('\n\n')}\n`;
}
