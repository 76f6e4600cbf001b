/** One report run: load the readings, keep the requested time range, build the report, publish it in the bucket. */
import { TIMESTAMP, parseAirQuality, timestamps, toIso, type ColumnTable } from '@air-quality/preprocessing';
import { z } from 'zod';
import { resolveDataset } from '../../shared/dataset';
import type { ObjectStore } from '../../shared/object-store';
import { requestOrScheduledEvent } from '../../shared/scheduled-event';
import type { RenderOptions } from './charts/render';
import { ReportOptionsSchema } from './options';
import { buildReport, type Artifact } from './report';

const allowed = (message: string) => (issue: { input?: unknown }) => `${message}, got ${JSON.stringify(issue.input)}`;

/** An ISO-8601 date (read as UTC midnight) or date-time with a zone, as epoch ms. */
const instant = (field: string) =>
  z
    .union([z.iso.date(), z.iso.datetime({ offset: true })], { error: allowed(`${field} must be an ISO-8601 date (2004-03-10) or date-time with a zone (2004-03-10T18:00:00Z)`) })
    .transform((iso) => Date.parse(iso));

const requestShape = {
  source: z
    .enum(['reference', 'lake'], { error: allowed('source must be "reference" (the UCI dataset staged in the bucket) or "lake" (the readings the sink wrote)') })
    .default('reference'),
  /** First hour reported (inclusive). */
  from: instant('from').optional(),
  /** End of the reported range (exclusive). */
  to: instant('to').optional(),
  ...ReportOptionsSchema.shape,
};

/** What a person or a schedule asks `report` for: a source, a time range and the report options. Unknown fields are rejected. */
export const reportRequestSchema = z
  .strictObject(requestShape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}; allowed: ${Object.keys(requestShape).join(', ')}` : undefined),
  })
  .refine((r) => r.from === undefined || r.to === undefined || r.from < r.to, { path: ['to'], error: 'to must be later than from (the range is [from, to))' });

export type ReportRequest = z.output<typeof reportRequestSchema>;

/** The handler's event: a request, or a bare hourly schedule tick, which reports on the whole reference dataset with default options. */
export const reportEventSchema = requestOrScheduledEvent(reportRequestSchema, {});

/** The source asks for something it cannot provide yet (the lake before the sink has filled it). */
export class SourceUnavailableError extends Error {
  override name = 'SourceUnavailableError';
}

/** Where the sink writes a topic's readings (Kafka Connect layout, see DESIGN.md). */
export const lakePrefix = (topic: string) => `lake/${topic}/`;

async function loadReadings(request: ReportRequest, store: ObjectStore, lake: string): Promise<{ table: ColumnTable; origin: string }> {
  if (request.source === 'lake') {
    const files = (await store.list(lake)).filter((key) => key.endsWith('.parquet'));
    const where = `s3://${store.bucket}/${lake}`;
    throw new SourceUnavailableError(
      files.length === 0
        ? `The lake ${where} holds no readings yet: the sink has not written any. Report on {"source":"reference"} until it has.`
        : `The lake ${where} holds ${files.length} Parquet files, but report cannot read the lake yet (it needs the sink's lake reader in shared/). Report on {"source":"reference"} until then.`,
    );
  }
  // The raw parsed readings, not loadPreparedDataset's cleaned table: the correlation must pair real
  // observations only (interpolated hours would inflate r and understate p), and analyse() does its
  // own hourly regularisation and interpolation where STL and the ACF need complete series.
  const dataset = await resolveDataset(store);
  return { table: parseAirQuality(dataset.csv), origin: dataset.origin };
}

const firstAtOrAfter = (sorted: number[], t: number) => {
  const i = sorted.findIndex((v) => v >= t);
  return i < 0 ? sorted.length : i;
};

/** The rows with from ≤ timestamp < to. */
function withinRange(table: ColumnTable, from: number | undefined, to: number | undefined): ColumnTable {
  if (from === undefined && to === undefined) return table;
  const sorted = table.orderby(TIMESTAMP);
  const ts = timestamps(sorted, 'the report time range');
  const start = from === undefined ? 0 : firstAtOrAfter(ts, from);
  const end = to === undefined ? ts.length : firstAtOrAfter(ts, to);
  if (start >= end) {
    const span = ts.length > 0 ? `${toIso(ts[0]!)} to ${toIso(ts[ts.length - 1]!)}` : 'no time at all';
    throw new RangeError(`No readings from ${from === undefined ? 'the start' : toIso(from)} to ${to === undefined ? 'the end' : toIso(to)}: the data covers ${span}. Choose from/to inside that span.`);
  }
  return sorted.slice(start, end);
}

/** Sortable and usable in an object key: the ISO time with ':' replaced (2026-11-24T21-00-00.000Z). */
export const reportRunId = (at: Date) => at.toISOString().replace(/:/g, '-');

export interface WrittenArtifact {
  name: string;
  key: string;
  bytes: number;
}

const byteLength = (body: Artifact['body']) => (typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);

/** Writes the artifacts under <prefix>/<runId>/, then makes <prefix>/latest/ an exact copy of that run. */
async function publish(store: ObjectStore, prefix: string, runId: string, artifacts: Artifact[]): Promise<WrittenArtifact[]> {
  const runPrefix = `${prefix}/${runId}/`;
  const latest = `${prefix}/latest/`;
  // The run id in the metadata tells a reader of latest/ which run it is looking at.
  const put = (key: string, a: Artifact) => store.put(key, a.body, { contentType: a.contentType, metadata: { 'report-run': runId } });
  await Promise.all(artifacts.map((a) => put(runPrefix + a.name, a)));
  await Promise.all(artifacts.map((a) => put(latest + a.name, a)));
  // Charts of pollutants an earlier run had and this one has not must not linger in latest/.
  const current = new Set(artifacts.map((a) => latest + a.name));
  const stale = (await store.list(latest)).filter((key) => !current.has(key));
  if (stale.length > 0) await store.delete(stale);
  return artifacts.map((a) => ({ name: a.name, key: runPrefix + a.name, bytes: byteLength(a.body) }));
}

export interface ReportDependencies {
  store: ObjectStore;
  /** Prefix of the readings in the lake (lakePrefix(topic)). */
  lake: string;
  /** Where runs are published; tests use their own. */
  reportsPrefix?: string;
  render?: RenderOptions;
}

export interface ReportRun {
  runId: string;
  /** Key prefix of this run's artifacts. */
  prefix: string;
  source: ReportRequest['source'];
  /** Where the readings came from (path, URL or object key). */
  origin: string;
  /** Readings in the reported range. */
  rows: number;
  artifacts: WrittenArtifact[];
  durationMs: number;
}

export async function runReport(request: ReportRequest, deps: ReportDependencies): Promise<ReportRun> {
  const started = new Date();
  const { source, from, to, ...options } = request;
  const { table, origin } = await loadReadings(request, deps.store, deps.lake);
  const selected = withinRange(table, from, to);
  const artifacts = await buildReport(selected, options, deps.render);
  const runId = reportRunId(started);
  const prefix = deps.reportsPrefix ?? 'reports';
  const written = await publish(deps.store, prefix, runId, artifacts);
  return { runId, prefix: `${prefix}/${runId}/`, source, origin, rows: selected.numRows(), artifacts: written, durationMs: Date.now() - started.getTime() };
}
