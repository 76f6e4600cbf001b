import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Context } from 'aws-lambda';
import { loadConfig } from '../../../shared/config';
import { S3ObjectStore } from '../../../shared/object-store';
import { lakePrefix, reportEventSchema, reportRequestSchema, runReport, SourceUnavailableError } from '../../../functions/report/run';
import { datasetPath, readDatasetText } from '../../support/dataset';

process.env.AIR_QUALITY_DATASET ??= datasetPath();
const config = loadConfig();
const store = new S3ObjectStore(config.s3);
// Each run publishes under its own prefix, so tests never touch reports/ or each other.
const reportsPrefix = `tests/report/${randomUUID()}`;
const deps = { store, lake: lakePrefix(config.topics.readings), reportsPrefix };
const event = (name: string) => JSON.parse(readFileSync(resolve(__dirname, '../../../events', name), 'utf8'));
const text = async (key: string) => Buffer.from((await store.get(key))!.body).toString('utf8');

after(async () => store.delete(await store.list(`${reportsPrefix}/`)));

describe('report against the real MinIO', () => {
  it('reports on [from, to) only, publishes under <prefix>/<runId>/ and makes latest/ an exact copy of the run', async () => {
    const stale = `${reportsPrefix}/latest/nox_gt_anomalies.png`;
    await store.put(stale, 'left by an earlier run');
    const run = await runReport(reportRequestSchema.parse({ from: '2004-04-01', to: '2004-05-01', pollutants: ['co_gt', 'no2_gt'] }), deps);

    // The csv's own dates (dd/mm/yyyy), counted without the product's parser.
    const aprilRows = readDatasetText().split('\n').filter((line) => /^\d\d\/04\/2004;/.test(line)).length;
    assert.equal(aprilRows, 720);
    assert.equal(run.rows, aprilRows);
    assert.equal(run.source, 'reference');
    assert.match(run.runId, /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z$/);
    assert.equal(run.prefix, `${reportsPrefix}/${run.runId}/`);
    assert.match(await text(`${run.prefix}summary.md`), /^2004-04-01 00:00 to 2004-04-30 23:00 UTC: 720 hours, 720 rows\.$/m);

    const names = run.artifacts.map((a) => a.name);
    assert.ok(names.includes('co_gt_decomposition.png') && names.includes('no2_gt_anomalies.png'));
    assert.ok(!names.some((n) => n.startsWith('nox_gt_')), 'only the requested pollutants are charted');
    assert.deepEqual((await store.list(run.prefix)).sort(), run.artifacts.map((a) => a.key).sort());
    assert.deepEqual((await store.list(`${reportsPrefix}/latest/`)).sort(), names.map((n) => `${reportsPrefix}/latest/${n}`).sort(), 'the stale chart is gone from latest/');
    for (const artifact of run.artifacts) {
      const published = (await store.get(artifact.key))!;
      const latest = (await store.get(`${reportsPrefix}/latest/${artifact.name}`))!;
      assert.equal(published.body.byteLength, artifact.bytes, artifact.name);
      assert.deepEqual(latest.body, published.body, artifact.name);
      assert.equal(latest.metadata['report-run'], run.runId);
    }
  });

  it('refuses the lake while it cannot serve readings, saying to use the reference source, and writes nothing', async () => {
    const before = await store.list(`${reportsPrefix}/`);
    await assert.rejects(runReport(reportRequestSchema.parse({ source: 'lake' }), deps), (error: Error) => {
      assert.ok(error instanceof SourceUnavailableError);
      assert.match(error.message, /lake s3:\/\/air-quality\/lake\/air_quality_data\/ .*Report on \{"source":"reference"\}/);
      return true;
    });
    assert.deepEqual(await store.list(`${reportsPrefix}/`), before);
  });

  it('refuses a range without readings, naming the span the data covers', async () => {
    await assert.rejects(
      runReport(reportRequestSchema.parse({ from: '2010-01-01' }), deps),
      /No readings from 2010-01-01T00:00:00.000Z to the end: the data covers 2004-03-10T18:00:00.000Z to 2005-04-04T14:00:00.000Z/,
    );
  });
});

describe('report handler', () => {
  const context = { awsRequestId: 'test', functionName: 'report', getRemainingTimeInMillis: () => 300_000 } as unknown as Context;

  it('rejects bad payloads naming the field and what is allowed, before any I/O', async () => {
    const { handler } = await import('../../../functions/report/handler');
    const before = await store.list('reports/');
    const cases: [unknown, RegExp][] = [
      [{ source: 'lake', colour: 'red' }, /unknown field\(s\) colour; allowed: source, from, to, pollutants/],
      [{ source: 'warehouse' }, /source: source must be "reference" .* or "lake" .*, got "warehouse"/],
      [{ from: 'yesterday' }, /from: from must be an ISO-8601 date .*, got "yesterday"/],
      [{ to: '2004-02-30T25:00:00Z' }, /to: to must be an ISO-8601 date/],
      [{ from: '2004-05-01', to: '2004-04-01' }, /to: to must be later than from/],
      [{ pollutants: [] }, /pollutants: /],
      [{ pollutants: ['CO(GT)'] }, /pollutants\.0: column ids are lower-case letters/],
      [{ period: 1 }, /period: /],
    ];
    for (const [payload, message] of cases) await assert.rejects(handler(payload, context), message);
    assert.deepEqual(await store.list('reports/'), before);
  });

  it('reads the sample events: a bare schedule tick is the default request', () => {
    assert.deepEqual(reportEventSchema.parse(event('report-schedule.json')), reportRequestSchema.parse({}));
    assert.equal(reportEventSchema.parse(undefined).source, 'reference');
    const reference = reportEventSchema.parse(event('report-reference.json'));
    assert.equal(reference.source, 'reference');
    assert.equal(reference.from, Date.UTC(2004, 2, 10));
  });
});
