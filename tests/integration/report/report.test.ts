import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { COLUMN_IDS, numbers, parseAirQuality, timestamps } from '@air-quality/preprocessing';
import type { Context } from 'aws-lambda';
import { loadConfig } from '../../../shared/config';
import {
  advanceWatermark,
  dataFileKey,
  lakeParquet,
  readWatermark,
  topicPrefix,
  type LakeRow,
} from '../../../shared/lake';
import { S3ObjectStore } from '../../../shared/object-store';
import {
  reportEventSchema,
  reportRequestSchema,
  runReport,
  type ReportRun,
  type ReportSkipped,
} from '../../../functions/report/run';
import { datasetPath, readDatasetText } from '../../support/dataset';

process.env.AIR_QUALITY_DATASET ??= datasetPath();
const config = loadConfig();
const store = new S3ObjectStore(config.s3);
// Each run publishes under its own prefix, so tests never touch reports/ or each other.
const reportsPrefix = `tests/report/${randomUUID()}`;
// A topic of its own, so the lake tests read exactly the files they wrote.
const topic = `report-test-${randomUUID()}`;
const deps = { store, topic, reportsPrefix };
const event = (name: string) => JSON.parse(readFileSync(resolve(__dirname, '../../../events', name), 'utf8'));
const text = async (key: string) => Buffer.from((await store.get(key))!.body).toString('utf8');
/** The run, which must have published (a skipped run's reason is the failure message). */
const published = (run: ReportRun | ReportSkipped): ReportRun => {
  if (run.outcome === 'skipped') assert.fail(`the report was skipped: ${run.reason}`);
  return run;
};

after(async () =>
  store.delete([...(await store.list(`${reportsPrefix}/`)), ...(await store.list(topicPrefix(topic)))]),
);

describe('report against the real MinIO', () => {
  it('reports on [from, to) only, publishes under <prefix>/<runId>/ and makes latest/ an exact copy of the run', async () => {
    const stale = `${reportsPrefix}/latest/nox_gt_anomalies.png`;
    await store.put(stale, 'left by an earlier run');
    const run = published(
      await runReport(
        reportRequestSchema.parse({
          source: 'reference',
          from: '2004-04-01',
          to: '2004-05-01',
          pollutants: ['co_gt', 'no2_gt'],
        }),
        deps,
      ),
    );

    // The csv's own dates (dd/mm/yyyy), counted without the product's parser.
    const aprilRows = readDatasetText()
      .split('\n')
      .filter((line) => /^\d\d\/04\/2004;/.test(line)).length;
    assert.equal(aprilRows, 720);
    assert.equal(run.rows, aprilRows);
    assert.equal(run.source, 'reference');
    assert.match(run.runId, /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z$/);
    assert.equal(run.prefix, `${reportsPrefix}/${run.runId}/`);
    assert.match(
      await text(`${run.prefix}summary.md`),
      /^2004-04-01 00:00 to 2004-04-30 23:00 UTC: 720 hours, 720 rows\.$/m,
    );

    const names = run.artifacts.map((a) => a.name);
    assert.ok(names.includes('co_gt_decomposition.png') && names.includes('no2_gt_anomalies.png'));
    assert.ok(!names.some((n) => n.startsWith('nox_gt_')), 'only the requested pollutants are charted');
    assert.deepEqual((await store.list(run.prefix)).sort(), run.artifacts.map((a) => a.key).sort());
    assert.deepEqual(
      (await store.list(`${reportsPrefix}/latest/`)).sort(),
      names.map((n) => `${reportsPrefix}/latest/${n}`).sort(),
      'the stale chart is gone from latest/',
    );
    for (const artifact of run.artifacts) {
      const published = (await store.get(artifact.key))!;
      const latest = (await store.get(`${reportsPrefix}/latest/${artifact.name}`))!;
      assert.equal(published.body.byteLength, artifact.bytes, artifact.name);
      assert.deepEqual(latest.body, published.body, artifact.name);
      assert.equal(latest.metadata['report-run'], run.runId);
    }
  });

  it('a schedule tick on an empty lake says so in its result and writes nothing (no error, no reference data)', async () => {
    const before = await store.list(`${reportsPrefix}/`);
    const empty = { ...deps, topic: `report-test-empty-${randomUUID()}` };
    const run = await runReport(reportEventSchema.parse(event('report-schedule.json')), empty);
    assert.equal(run.outcome, 'skipped');
    assert.equal(run.source, 'lake');
    assert.equal(run.rows, 0);
    assert.match(
      (run as ReportSkipped).reason,
      /^The lake s3:\/\/air-quality\/lake\/report-test-empty-.*\/ holds no readings yet: the sink has not written any\. Stream readings \(simulate, sink\) first, or report on \{"source":"reference"\}\.$/,
    );
    assert.deepEqual(await store.list(`${reportsPrefix}/`), before);
  });

  it('refuses a range without readings, naming the span the data covers', async () => {
    await assert.rejects(
      runReport(reportRequestSchema.parse({ source: 'reference', from: '2010-01-01' }), deps),
      /No readings from 2010-01-01T00:00:00.000Z to the end: the data covers 2004-03-10T18:00:00.000Z to 2005-04-04T14:00:00.000Z/,
    );
  });
});

describe('report on the lake', () => {
  const HOURS = 120;
  const dataset = parseAirQuality(readDatasetText());
  const stamps = timestamps(dataset);
  const values = Object.fromEntries(COLUMN_IDS.map((id) => [id, numbers(dataset, id)]));
  /** Station 1 replays the first 120 dataset hours at their own times, station 2 hours 1000–1119 at the same times. */
  const lakeRow = (station: number, hour: number): LakeRow => {
    const source = station === 1 ? hour : 1000 + hour;
    return {
      eventId: randomUUID(),
      stationId: `station-0${station}`,
      sequence: hour,
      observedAt: stamps[hour]!,
      sourceTime: stamps[source]!,
      readings: Object.fromEntries(COLUMN_IDS.map((id) => [id, values[id]![source]])),
      imputed: [],
      clipped: [],
      partition: station - 1,
      offset: hour,
    };
  };

  before(async () => {
    // Laid out as the sink does: one file per partition and hour, then the watermarks.
    await Promise.all(
      [1, 2].flatMap((station) =>
        Array.from({ length: HOURS }, (_, hour) =>
          store.put(dataFileKey(topic, station - 1, hour, stamps[hour]!), lakeParquet([lakeRow(station, hour)])),
        ),
      ),
    );
    for (const partition of [0, 1])
      await advanceWatermark(store, topic, partition, await readWatermark(store, topic, partition), HOURS);
  });

  it('reports on one station exactly as on the same readings of the reference', async () => {
    const lake = published(await runReport(reportRequestSchema.parse({ stationId: 'station-01' }), deps));
    const reference = published(
      await runReport(
        reportRequestSchema.parse({
          source: 'reference',
          from: new Date(stamps[0]!).toISOString(),
          to: new Date(stamps[HOURS]!).toISOString(),
        }),
        deps,
      ),
    );
    assert.equal(lake.rows, HOURS);
    // The default window, the last 7 days up to the newest hour, holds all 5 days of the lake.
    assert.deepEqual(lake.window, {
      from: new Date(stamps[HOURS]! - 7 * 24 * 3_600_000).toISOString(),
      to: new Date(stamps[HOURS]!).toISOString(),
    });
    assert.match(lake.origin, /^s3:\/\/air-quality\/lake\/report-test-.*\/ \(station station-01\)$/);
    for (const name of ['summary.md', 'correlation_matrix.csv', 'anomalies.csv']) {
      assert.equal(await text(`${lake.prefix}${name}`), await text(`${reference.prefix}${name}`), name);
    }
  });

  it('averages the stations hour by hour without a station', async () => {
    const run = published(
      await runReport(reportRequestSchema.parse({ source: 'lake', to: new Date(stamps[HOURS]!).toISOString() }), deps),
    );
    assert.equal(run.rows, 2 * HOURS);
    assert.match(
      await text(`${run.prefix}summary.md`),
      /^2004-03-10 18:00 to 2004-03-15 17:00 UTC: 120 hours, 240 rows\.$/m,
    );
  });

  it('reports on the last `days` days of event time, and says a window too short to analyse is too short', async () => {
    const run = published(await runReport(reportRequestSchema.parse({ days: 4 }), deps));
    assert.equal(run.rows, 2 * 96);
    assert.match(
      await text(`${run.prefix}summary.md`),
      /^2004-03-11 18:00 to 2004-03-15 17:00 UTC: 96 hours, 192 rows\.$/m,
    );

    const before = await store.list(`${reportsPrefix}/`);
    const short = await runReport(reportRequestSchema.parse({ days: 3 }), deps);
    assert.equal(short.outcome, 'skipped');
    assert.equal(short.rows, 2 * 72);
    assert.match(
      (short as ReportSkipped).reason,
      / holds 72 hours of readings from 2004-03-12T18:00:00\.000Z to 2004-03-15T18:00:00\.000Z \(144 rows\); the report needs at least 96 \(two periods and twice the ACF lags\)\. Let the stream run longer, or ask for more days\.$/,
    );
    assert.deepEqual(await store.list(`${reportsPrefix}/`), before);
  });

  it('names the stations there when the requested one is absent', async () => {
    await assert.rejects(
      runReport(reportRequestSchema.parse({ stationId: 'station-09' }), deps),
      /no readings of station station-09 from .* to .*; stations there: station-01, station-02/,
    );
  });
});

describe('report handler', () => {
  const context = {
    awsRequestId: 'test',
    functionName: 'report',
    getRemainingTimeInMillis: () => 300_000,
  } as unknown as Context;

  it('rejects bad payloads naming the field and what is allowed, before any I/O', async () => {
    const { handler } = await import('../../../functions/report/handler');
    const before = await store.list('reports/');
    const cases: [unknown, RegExp][] = [
      [
        { source: 'lake', colour: 'red' },
        /unknown field\(s\) colour; allowed: source, from, to, days, stationId, pollutants, measures/,
      ],
      [{ source: 'warehouse' }, /source: source must be "lake" .* or "reference" .*, got "warehouse"/],
      [{ from: 'yesterday' }, /from: from must be an ISO-8601 date .*, got "yesterday"/],
      [{ to: '2004-02-30T25:00:00Z' }, /to: to must be an ISO-8601 date/],
      [{ from: '2004-05-01', to: '2004-04-01' }, /to: to must be later than from/],
      [{ source: 'reference', stationId: 'station-01' }, /stationId: stationId selects a station of the lake/],
      [{ days: 0 }, /days: days must be an integer from 1 to 3660, got 0/],
      [{ days: 3, from: '2004-04-01' }, /days: days sets the window of a lake report that names no range/],
      [{ source: 'reference', days: 3 }, /days: days sets the window/],
      [{ source: 'lake', stationId: 'no spaces allowed' }, /stationId: stationId must be 1-64 characters/],
      [{ pollutants: [] }, /pollutants: /],
      [{ pollutants: ['CO(GT)'] }, /pollutants\.0: column ids are lower-case letters/],
      [{ period: 1 }, /period: /],
    ];
    for (const [payload, message] of cases) await assert.rejects(handler(payload, context), message);
    assert.deepEqual(await store.list('reports/'), before);
  });

  it('reads the sample events: a bare schedule tick is the default request, on the lake', () => {
    assert.deepEqual(reportEventSchema.parse(event('report-schedule.json')), reportRequestSchema.parse({}));
    assert.equal(reportEventSchema.parse(undefined).source, 'lake');
    const reference = reportEventSchema.parse(event('report-reference.json'));
    assert.equal(reference.source, 'reference');
    assert.equal(reference.from, Date.UTC(2004, 2, 10));
  });
});
