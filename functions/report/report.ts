/** buildReport: table in, report artifacts out. Pure apart from reading the bundled font files. */
import type { ColumnTable } from '@air-quality/preprocessing';
import { analyse, timestampAt, type ReportAnalysis } from './analyse';
import { anomaliesCsv, anomalyRows, correlogramCsv, matrixCsv } from './artifacts/csv';
import { htmlPage } from './artifacts/html';
import { reportMarkdown } from './artifacts/markdown';
import { columnLabel } from './charts/labels';
import { defaultRenderOptions, renderPng, type RenderOptions } from './charts/render';
import { anomalyChart, correlationHeatmap, correlogramChart, decompositionChart, patternChart } from './charts/specs';
import { resolveOptions, type ReportOptionsInput } from './options';
import { WEEKDAY_NAMES } from '@air-quality/timeseries-stats';
import pLimit from 'p-limit';
import type { TopLevelSpec } from 'vega-lite';

export interface Artifact {
  name: string;
  contentType: string;
  body: Uint8Array | string;
}

const CHARTS_IN_FLIGHT = 2;
const HOURS = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));

function chartSpecs(a: ReportAnalysis): Array<[name: string, spec: TopLevelSpec]> {
  const labelled = a.pollutants.map((p) => ({ p, column: columnLabel(p.id) }));
  const stamps = Array.from({ length: a.hours }, (_, i) => timestampAt(a, i));
  const band = (confint: Array<[number, number]>, values: number[]) =>
    confint.map(([, upper], k) => upper - values[k]!);
  return [
    [
      'daily_pattern.png',
      patternChart({
        title: 'Mean by hour of day',
        bucketTitle: 'Hour of day (UTC)',
        buckets: HOURS,
        series: labelled.map(({ p, column }) => ({ column, means: p.byHourOfDay })),
      }),
    ],
    [
      'weekly_pattern.png',
      patternChart({
        title: 'Mean by day of week',
        bucketTitle: 'Day of week',
        buckets: WEEKDAY_NAMES.map((d) => d.slice(0, 3)),
        series: labelled.map(({ p, column }) => ({ column, means: p.byDayOfWeek })),
      }),
    ],
    [
      'correlation_matrix.png',
      correlationHeatmap({ columns: a.correlation.columns.map(columnLabel), r: a.correlation.r }),
    ],
    [
      'autocorrelation.png',
      correlogramChart({
        title: 'Autocorrelation (ACF)',
        series: labelled.map(({ p, column }) => ({
          column,
          values: p.acf.values,
          band: band(p.acf.confint, p.acf.values),
        })),
      }),
    ],
    [
      'partial_autocorrelation.png',
      correlogramChart({
        title: 'Partial autocorrelation (PACF)',
        series: labelled.map(({ p, column }) => ({
          column,
          values: p.pacf.values,
          band: band(p.pacf.confint, p.pacf.values),
        })),
      }),
    ],
    ...labelled.flatMap(
      ({ p, column }): Array<[string, TopLevelSpec]> => [
        [
          `${p.id}_decomposition.png`,
          decompositionChart({
            column,
            period: a.options.period,
            timestamps: stamps,
            observed: p.filled,
            trend: p.stl.trend,
            seasonal: p.stl.seasonal,
            residual: p.stl.residual,
          }),
        ],
        [
          `${p.id}_anomalies.png`,
          anomalyChart({
            column,
            threshold: a.options.anomalyThreshold,
            timestamps: stamps,
            observed: p.observed,
            anomalies: p.anomalies.map((i) => ({ timestamp: stamps[i]!, value: p.observed[i]! })),
          }),
        ],
      ],
    ),
  ];
}

/** Renders every chart, table and page of the report for one analysis. */
async function renderArtifacts(
  analysis: ReportAnalysis,
  render: RenderOptions = defaultRenderOptions(),
): Promise<Artifact[]> {
  // Two charts in flight: one in vega on this thread while resvg rasterises the other on the thread pool,
  // which keeps both cores busy and peak memory to two SVGs and two bitmaps.
  const inFlight = pLimit(CHARTS_IN_FLIGHT);
  const charts = await Promise.all(
    chartSpecs(analysis).map(([name, spec]) =>
      inFlight(
        async (): Promise<Artifact> => ({ name, contentType: 'image/png', body: await renderPng(spec, render) }),
      ),
    ),
  );
  const anomalies = anomalyRows(analysis);
  const csv = (name: string, body: string): Artifact => ({ name, contentType: 'text/csv; charset=utf-8', body });
  const tables = [
    csv('correlation_matrix.csv', matrixCsv(analysis.correlation, 'r')),
    csv('correlation_matrix_pvalues.csv', matrixCsv(analysis.correlation, 'p')),
    csv('acf.csv', correlogramCsv(analysis.pollutants, 'acf')),
    csv('pacf.csv', correlogramCsv(analysis.pollutants, 'pacf')),
    csv('anomalies.csv', anomaliesCsv(anomalies)),
  ];
  const names = [...charts, ...tables].map((a) => a.name);
  const dataUris = new Map(
    charts.map((c) => [c.name, `data:image/png;base64,${Buffer.from(c.body).toString('base64')}`]),
  );
  const summary = reportMarkdown(analysis, anomalies, [...names, 'summary.md'], {
    details: false,
  });
  const page = reportMarkdown(analysis, anomalies, [...names, 'summary.md'], {
    details: true,
  });
  return [
    ...charts,
    ...tables,
    { name: 'summary.md', contentType: 'text/markdown; charset=utf-8', body: summary },
    {
      name: 'index.html',
      contentType: 'text/html; charset=utf-8',
      body: htmlPage('Air-quality report', page, dataUris),
    },
  ];
}

/** Analyses an hourly table (timestamp in epoch ms plus measure columns) and renders the report. */
export async function buildReport(
  table: ColumnTable,
  options: ReportOptionsInput = {},
  render?: RenderOptions,
): Promise<Artifact[]> {
  return renderArtifacts(analyse(table, resolveOptions(options)), render);
}
