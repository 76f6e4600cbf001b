/** Vega-Lite specifications of the report's charts; pure data → spec, no rendering. */
import type { TopLevelSpec } from 'vega-lite';

/** How a column is named on a chart. */
export interface ColumnLabel {
  id: string;
  label: string;
  unit: string;
}

export const titled = ({ label, unit }: ColumnLabel): string => (unit ? `${label} (${unit})` : label);

const FACET_COLUMNS = 2;
const PANEL = { width: 340, height: 170 };
const TIME_AXIS = { title: 'Time (UTC)', format: '%b %Y' };

export interface PatternChartInput {
  title: string;
  bucketTitle: string;
  /** Bucket names in display order. */
  buckets: readonly string[];
  series: ReadonlyArray<{ column: ColumnLabel; means: readonly number[] }>;
}

/** Small multiples of the mean per bucket (hour of day, weekday), one panel per pollutant with its own unit. */
export function patternChart({ title, bucketTitle, buckets, series }: PatternChartInput): TopLevelSpec {
  const values = series.flatMap(({ column, means }) =>
    means.map((mean, b) => ({ pollutant: titled(column), bucket: buckets[b], mean })),
  );
  return {
    title: { text: title, subtitle: 'Mean of the observed values; missing hours are left out', fontSize: 16 },
    data: { values },
    facet: {
      field: 'pollutant',
      type: 'nominal',
      title: null,
      sort: series.map((s) => titled(s.column)),
      header: { labelFontSize: 13, labelFontWeight: 'bold' },
    },
    columns: FACET_COLUMNS,
    resolve: { scale: { y: 'independent' } },
    spec: {
      ...PANEL,
      mark: { type: 'line', point: true, color: '#1f77b4' },
      encoding: {
        x: { field: 'bucket', type: 'ordinal', sort: [...buckets], title: bucketTitle, axis: { labelAngle: 0 } },
        y: { field: 'mean', type: 'quantitative', title: 'Mean (unit in panel title)', scale: { zero: false } },
        tooltip: [{ field: 'bucket' }, { field: 'mean', format: '.3f' }],
      },
    },
  };
}

export interface HeatmapInput {
  columns: readonly ColumnLabel[];
  r: readonly (readonly number[])[];
}

/** Pearson r as a diverging heat map with the value printed in each cell. */
export function correlationHeatmap({ columns, r }: HeatmapInput): TopLevelSpec {
  const names = columns.map((c) => c.label);
  const values = columns.flatMap((a, i) => columns.map((b, j) => ({ row: a.label, column: b.label, r: r[i]![j] })));
  return {
    title: {
      text: 'Pearson correlation (pairwise-complete observations)',
      subtitle: 'p-values in correlation_matrix_pvalues.csv',
      fontSize: 16,
    },
    data: { values },
    width: 44 * names.length,
    height: 44 * names.length,
    encoding: {
      x: { field: 'column', type: 'nominal', sort: names, title: null, axis: { labelAngle: -45 } },
      y: { field: 'row', type: 'nominal', sort: names, title: null },
    },
    layer: [
      {
        mark: 'rect',
        encoding: {
          color: {
            field: 'r',
            type: 'quantitative',
            title: 'r',
            scale: { scheme: 'redblue', domain: [-1, 1], reverse: true },
          },
        },
      },
      {
        mark: { type: 'text', fontSize: 11 },
        encoding: {
          text: { field: 'r', type: 'quantitative', format: '.2f' },
          color: { condition: { test: 'abs(datum.r) > 0.6', value: 'white' }, value: 'black' },
        },
      },
    ],
  };
}

export interface CorrelogramChartInput {
  title: string;
  series: ReadonlyArray<{ column: ColumnLabel; values: readonly number[]; band: readonly number[] }>;
}

/** Stems per lag with the 95 % band around zero shaded, one panel per pollutant (as statsmodels' plot_acf). */
export function correlogramChart({ title, series }: CorrelogramChartInput): TopLevelSpec {
  const values = series.flatMap(({ column, values: v, band }) =>
    v.map((value, lag) => ({ pollutant: titled(column), lag, value, upper: band[lag], lower: -band[lag]! })),
  );
  return {
    title: { text: title, subtitle: 'Shaded: 95 % confidence band; gaps filled by linear interpolation', fontSize: 16 },
    data: { values },
    facet: {
      field: 'pollutant',
      type: 'nominal',
      title: null,
      sort: series.map((s) => titled(s.column)),
      header: { labelFontSize: 13, labelFontWeight: 'bold' },
    },
    columns: FACET_COLUMNS,
    spec: {
      ...PANEL,
      encoding: {
        x: {
          field: 'lag',
          type: 'quantitative',
          title: 'Lag (hours)',
          axis: { values: [0, 6, 12, 18, 24, 30, 36, 42, 48] },
        },
      },
      layer: [
        {
          mark: { type: 'area', opacity: 0.25, color: '#1f77b4' },
          encoding: {
            y: { field: 'lower', type: 'quantitative', title: 'Correlation', scale: { domain: [-1, 1] } },
            y2: { field: 'upper' },
          },
        },
        {
          mark: { type: 'rule', color: '#1f77b4' },
          encoding: { y: { field: 'value', type: 'quantitative' }, y2: { datum: 0 } },
        },
        {
          mark: { type: 'point', filled: true, size: 18, color: '#1f77b4' },
          encoding: { y: { field: 'value', type: 'quantitative' } },
        },
      ],
    },
  };
}

export interface DecompositionChartInput {
  column: ColumnLabel;
  period: number;
  timestamps: ArrayLike<number>;
  observed: ArrayLike<number>;
  trend: ArrayLike<number>;
  seasonal: ArrayLike<number>;
  residual: ArrayLike<number>;
}

/** Observed, trend, seasonal and residual stacked on a shared time axis. */
export function decompositionChart(input: DecompositionChartInput): TopLevelSpec {
  const parts = ['observed', 'trend', 'seasonal', 'residual'] as const;
  const values = Array.from(input.timestamps, (t, i) => ({
    t,
    ...Object.fromEntries(parts.map((p) => [p, input[p][i]])),
  }));
  return {
    title: {
      text: `${titled(input.column)}: STL decomposition (period ${input.period} h)`,
      subtitle: 'Observed series with gaps filled by linear interpolation',
      fontSize: 16,
    },
    data: { values },
    vconcat: parts.map((part) => ({
      width: 820,
      height: 120,
      mark: { type: 'line', strokeWidth: 0.7, color: part === 'observed' ? '#333333' : '#1f77b4' },
      encoding: {
        x: {
          field: 't',
          type: 'temporal',
          scale: { type: 'utc' },
          axis: part === 'residual' ? TIME_AXIS : { title: null, labels: false },
        },
        y: {
          field: part,
          type: 'quantitative',
          title: `${part[0]!.toUpperCase()}${part.slice(1)}${input.column.unit ? ` (${input.column.unit})` : ''}`,
          scale: { zero: false },
        },
      },
    })),
  };
}

export interface AnomalyChartInput {
  column: ColumnLabel;
  threshold: number;
  timestamps: ArrayLike<number>;
  /** Observed values, NaN where missing (drawn as gaps). */
  observed: ArrayLike<number>;
  anomalies: ReadonlyArray<{ timestamp: number; value: number }>;
}

/** The observed series with the flagged hours marked. */
export function anomalyChart({ column, threshold, timestamps, observed, anomalies }: AnomalyChartInput): TopLevelSpec {
  const series = Array.from(timestamps, (t, i) => ({ t, value: Number.isNaN(observed[i]) ? null : observed[i] }));
  const flagged = `Anomaly (|robust z| > ${threshold})`;
  return {
    title: {
      text: `${titled(column)}: residual anomalies`,
      subtitle: `${anomalies.length} hours flagged by MAD on the STL residual`,
      fontSize: 16,
    },
    width: 820,
    height: 260,
    encoding: {
      x: { field: 't', type: 'temporal', scale: { type: 'utc' }, axis: TIME_AXIS },
      y: { field: 'value', type: 'quantitative', title: titled(column) },
      color: {
        datum: 'Observed',
        type: 'nominal',
        scale: { domain: ['Observed', flagged], range: ['#7f7f7f', '#d62728'] },
        legend: { title: null, orient: 'top', labelLimit: 0 },
      },
    },
    layer: [
      { data: { values: series }, mark: { type: 'line', strokeWidth: 0.6, invalid: 'break-paths-show-domains' } },
      {
        data: { values: anomalies.map(({ timestamp, value }) => ({ t: timestamp, value })) },
        mark: { type: 'point', filled: true, size: 22 },
        encoding: { color: { datum: flagged } },
      },
    ],
  };
}
