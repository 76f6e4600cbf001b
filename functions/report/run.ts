/** One report run: load the readings, keep the requested time range, build the report, publish it in the bucket. */
import {
  COLUMN_IDS,
  TIMESTAMP,
  parseAirQuality,
  timestamps,
  toIso,
  type ColumnTable,
} from '@air-quality/preprocessing';
import { z } from 'zod';
import { resolveDataset } from '../../shared/dataset';
import {
  lakeEventTimeEnd,
  readLake,
  SourceUnavailableError,
  stationReadings,
  topicPrefix,
  type TimeRange,
} from '../../shared/lake';
import { linkExpirySchema } from '../../shared/link-expiry';
import type { ObjectPresigner, ObjectStore } from '../../shared/object-store';
import { requestOrScheduledEvent } from '../../shared/scheduled-event';
import { readingSchema } from '../../shared/schemas/reading';
import { allowed, strictRequest } from '../../shared/validation';
import type { RenderOptions } from './charts/render';
import { minimumReportHours } from './analyse';
import { ReportOptionsSchema } from './options';
import { buildReport, type Artifact } from './report';
import { shareReport, type ReportShare } from './share';

/** An ISO-8601 date (read as UTC midnight) or date-time with a zone, as epoch ms. */
const instant = (field: string) =>
  z
    .union([z.iso.date(), z.iso.datetime({ offset: true })], {
      error: allowed(`${field} must be an ISO-8601 date (2004-03-10) or date-time with a zone (2004-03-10T18:00:00Z)`),
    })
    .transform((iso) => Date.parse(iso));

/** Days of event time a lake report covers when the request names no range. */
const DEFAULT_LAKE_DAYS = 7;
const DAY_MS = 24 * 3_600_000;
const daysError = allowed('days must be an integer from 1 to 3660');

const requestShape = {
  source: z
    .enum(['reference', 'lake'], {
      error: allowed(
        'source must be "lake" (the readings the sink wrote, the default) or "reference" (the UCI dataset staged in the bucket)',
      ),
    })
    .default('lake'),
  /** Start of the reported range (inclusive). */
  from: instant('from').optional(),
  /** End of the reported range (exclusive). */
  to: instant('to').optional(),
  /** Lake only, without from/to: the last N days of event time, up to the newest hour the lake holds. */
  days: z
    .number({ error: daysError })
    .int({ error: daysError })
    .min(1, { error: daysError })
    .max(3660, { error: daysError })
    .optional(),
  /** One station of the lake; without it the report is on the hourly mean over all stations. */
  stationId: readingSchema.shape.stationId.optional(),
  ...ReportOptionsSchema.shape,
  /** Also return a link that shows the run to someone without credentials, until it expires. */
  share: strictRequest({ expiresIn: linkExpirySchema.default(24 * 3600) }).optional(),
};

/** What a person or a schedule asks `report` for: a source, a time range and the report options. Unknown fields are rejected. */
export const reportRequestSchema = strictRequest(requestShape)
  .refine((r) => r.from === undefined || r.to === undefined || r.from < r.to, {
    path: ['to'],
    error: 'to must be later than from (the range is [from, to))',
  })
  .refine((r) => r.days === undefined || (r.source === 'lake' && r.from === undefined && r.to === undefined), {
    path: ['days'],
    error: 'days sets the window of a lake report that names no range: drop days, or drop from/to (with source "lake")',
  })
  .refine((r) => r.stationId === undefined || r.source === 'lake', {
    path: ['stationId'],
    error:
      'stationId selects a station of the lake; the reference dataset comes from one device: drop stationId or use source "lake"',
  });

export type ReportRequest = z.output<typeof reportRequestSchema>;

/** The handler's event: a request, or a bare hourly schedule tick, which reports on the lake's last DEFAULT_LAKE_DAYS days with default options. */
export const reportEventSchema = requestOrScheduledEvent(reportRequestSchema, {});

/** ' from … to …' for a bounded range, '' for everything. */
const rangeText = (from: number | undefined, to: number | undefined) =>
  from === undefined && to === undefined
    ? ''
    : ` from ${from === undefined ? 'the start' : toIso(from)} to ${to === undefined ? 'the end' : toIso(to)}`;

const finite = (ms: number) => (Number.isFinite(ms) ? ms : undefined);

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
    throw new RangeError(
      `No readings${rangeText(from, to)}: the data covers ${span}. Choose from/to inside that span.`,
    );
  }
  return sorted.slice(start, end);
}

/** What the lake source read: the report table, or why there is nothing to report on yet. */
type LakeReadings =
  | { table: ColumnTable; origin: string; window: TimeRange }
  | { skipped: string; origin: string; window?: TimeRange; rows: number };

/** The request's range, or the last `days` (DEFAULT_LAKE_DAYS) days up to the end of the newest hour in the lake. */
async function lakeWindow(store: ObjectStore, topic: string, request: ReportRequest): Promise<TimeRange | undefined> {
  if (request.from !== undefined || request.to !== undefined)
    return { from: request.from ?? -Infinity, to: request.to ?? Infinity };
  const end = await lakeEventTimeEnd(store, topic);
  return end === undefined ? undefined : { from: end - (request.days ?? DEFAULT_LAKE_DAYS) * DAY_MS, to: end };
}

/** Hours from the first reading's hour to the last's: the length of the series analyse() regularises. */
function hoursSpanned(observedAt: ArrayLike<number>): number {
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < observedAt.length; i++) {
    first = Math.min(first, observedAt[i]!);
    last = Math.max(last, observedAt[i]!);
  }
  return observedAt.length === 0 ? 0 : Math.floor(last / 3_600_000) - Math.floor(first / 3_600_000) + 1;
}

/**
 * The lake's readings in the window as a report table. Without a station, analyse()'s hourly regularisation
 * averages the stations' readings of each hour: one network-wide series per tick. An empty or too short window is
 * not an error (the stream may just have started): the result says what is missing.
 */
async function lakeReadings(store: ObjectStore, topic: string, request: ReportRequest): Promise<LakeReadings> {
  const { stationId } = request;
  const where = `s3://${store.bucket}/${topicPrefix(topic)}`;
  const origin = `${where} (${stationId === undefined ? 'all stations' : `station ${stationId}`})`;
  const window = await lakeWindow(store, topic, request);
  if (!window)
    return {
      skipped: `The lake ${where} holds no readings yet: the sink has not written any. Stream readings (simulate, sink) first, or report on {"source":"reference"}.`,
      origin,
      rows: 0,
    };
  const range = rangeText(finite(window.from), finite(window.to));
  const all = await readLake(store, topic, window, { columns: ['observedAt', 'stationId', ...COLUMN_IDS] });
  if (all.numRows() === 0)
    return {
      skipped: `The lake ${where} holds no readings${range}. Report on a range the sink has filled, or on {"source":"reference"}.`,
      origin,
      window,
      rows: 0,
    };
  const rows = stationId === undefined ? all : stationReadings(all, stationId);
  if (rows.numRows() === 0) {
    throw new SourceUnavailableError(
      `The lake ${where} has no readings of station ${stationId}${range}; stations there: ${[...new Set(all.array('stationId') as string[])].join(', ')}.`,
    );
  }
  const hours = hoursSpanned(rows.array('observedAt') as ArrayLike<number>);
  const needed = minimumReportHours(request);
  if (hours < needed)
    return {
      skipped: `The lake ${where} holds ${hours} hours of readings${range} (${rows.numRows()} rows); the report needs at least ${needed} (two periods and twice the ACF lags). Let the stream run longer, or ask for more days.`,
      origin,
      window,
      rows: rows.numRows(),
    };
  return { table: rows.rename({ observedAt: TIMESTAMP }).select(TIMESTAMP, ...COLUMN_IDS), origin, window };
}

async function loadReadings(
  request: ReportRequest,
  store: ObjectStore,
  topic: string,
): Promise<LakeReadings | { table: ColumnTable; origin: string; window?: undefined }> {
  if (request.source === 'lake') return lakeReadings(store, topic, request);
  // The raw parsed readings, not loadPreparedDataset's cleaned table: the correlation must pair real
  // observations only (interpolated hours would inflate r and understate p), and analyse() does its
  // own hourly regularisation and interpolation where STL and the ACF need complete series.
  const dataset = await resolveDataset(store);
  return { table: withinRange(parseAirQuality(dataset.csv), request.from, request.to), origin: dataset.origin };
}

/** Sortable and usable in an object key: the ISO time with ':' replaced (2026-11-24T21-00-00.000Z). */
const reportRunId = (at: Date) => at.toISOString().replace(/:/g, '-');

export interface WrittenArtifact {
  name: string;
  key: string;
  bytes: number;
}

const byteLength = (body: Artifact['body']) => (typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);

/** Writes the artifacts under <prefix>/<runId>/, then makes <prefix>/latest/ an exact (server-side) copy of that run. */
async function publish(
  store: ObjectStore,
  prefix: string,
  runId: string,
  artifacts: Artifact[],
): Promise<WrittenArtifact[]> {
  const runPrefix = `${prefix}/${runId}/`;
  const latest = `${prefix}/latest/`;
  // The run id in the metadata tells a reader of latest/ which run it is looking at.
  await Promise.all(
    artifacts.map((a) =>
      store.put(runPrefix + a.name, a.body, { contentType: a.contentType, metadata: { 'report-run': runId } }),
    ),
  );
  await Promise.all(artifacts.map((a) => store.copy(runPrefix + a.name, latest + a.name)));
  // Charts of pollutants an earlier run had and this one has not must not linger in latest/.
  const current = new Set(artifacts.map((a) => latest + a.name));
  const stale = (await store.list(latest)).filter((key) => !current.has(key));
  if (stale.length > 0) await store.delete(stale);
  return artifacts.map((a) => ({ name: a.name, key: runPrefix + a.name, bytes: byteLength(a.body) }));
}

/** What sharing the run just published needs, from memory instead of the bucket. */
function publishedRun(artifacts: Artifact[]): { names: string[]; indexHtml: string } {
  const index = artifacts.find((a) => a.name === 'index.html');
  if (!index) throw new Error('The report has no index.html to share.');
  return {
    names: artifacts.map((a) => a.name),
    indexHtml: typeof index.body === 'string' ? index.body : Buffer.from(index.body).toString('utf8'),
  };
}

export interface ReportDependencies {
  store: ObjectStore & ObjectPresigner;
  /** The readings' topic, whose lake the "lake" source reads. */
  topic: string;
  /** Where runs are published; tests use their own. */
  reportsPrefix?: string;
  render?: RenderOptions;
}

/** The event-time window a lake report looked at, ISO (an open end is null). */
export interface ReportWindow {
  from: string | null;
  to: string | null;
}

const isoOrNull = (ms: number) => (Number.isFinite(ms) ? toIso(ms) : null);
const windowOf = (window: TimeRange | undefined): ReportWindow | undefined =>
  window && { from: isoOrNull(window.from), to: isoOrNull(window.to) };

export interface ReportRun {
  outcome: 'published';
  runId: string;
  /** Key prefix of this run's artifacts. */
  prefix: string;
  source: ReportRequest['source'];
  /** Where the readings came from (path, URL or object key). */
  origin: string;
  /** Lake source: the event-time window read. */
  window?: ReportWindow;
  /** Readings in the reported range. */
  rows: number;
  artifacts: WrittenArtifact[];
  /** When the request asked to share: the link to the run and when it expires. */
  share?: ReportShare;
  durationMs: number;
}

/** A lake report that found too little to analyse: nothing is written, and `reason` says what is missing. */
export interface ReportSkipped {
  outcome: 'skipped';
  source: 'lake';
  origin: string;
  window?: ReportWindow;
  /** Readings found in the window. */
  rows: number;
  reason: string;
  durationMs: number;
}

export async function runReport(request: ReportRequest, deps: ReportDependencies): Promise<ReportRun | ReportSkipped> {
  const started = new Date();
  // What is left after the source and the range are the report options (a strict schema).
  const { source, from, to, days, stationId, share, ...options } = request;
  const loaded = await loadReadings(request, deps.store, deps.topic);
  const window = windowOf(loaded.window);
  if ('skipped' in loaded) {
    const { origin, rows, skipped: reason } = loaded;
    return {
      outcome: 'skipped',
      source: 'lake',
      origin,
      window,
      rows,
      reason,
      durationMs: Date.now() - started.getTime(),
    };
  }
  const { table, origin } = loaded;
  const artifacts = await buildReport(table, options, deps.render);
  const runId = reportRunId(started);
  const prefix = deps.reportsPrefix ?? 'reports';
  const written = await publish(deps.store, prefix, runId, artifacts);
  const shared =
    share &&
    (await shareReport(deps.store, {
      run: runId,
      expiresInSeconds: share.expiresIn,
      reportsPrefix: prefix,
      published: publishedRun(artifacts),
    }));
  return {
    outcome: 'published',
    runId,
    prefix: `${prefix}/${runId}/`,
    source,
    origin,
    ...(window && { window }),
    rows: table.numRows(),
    artifacts: written,
    share: shared,
    durationMs: Date.now() - started.getTime(),
  };
}
