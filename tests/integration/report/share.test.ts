import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../../shared/config';
import { S3ObjectStore } from '../../../shared/object-store';
import { reportRequestSchema, runReport, type ReportRun } from '../../../functions/report/run';
import { shareReport } from '../../../functions/report/share';
import { datasetPath } from '../../support/dataset';

process.env.AIR_QUALITY_DATASET ??= datasetPath();
const config = loadConfig();
const store = new S3ObjectStore(config.s3);
// Runs and share pages of this file only, so tests never touch reports/ or each other.
const reportsPrefix = `tests/report-share/${randomUUID()}`;
const root = resolve(__dirname, '../../..');

/** The absolute URLs in the page's href and src attributes, unescaped. */
const linkedUrls = (html: string) =>
  [...html.matchAll(/(?:href|src)="(http[^"]+)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));
const unsigned = (url: string) => url.slice(0, url.indexOf('?'));
const artifactName = (url: string) => decodeURIComponent(new URL(url).pathname.split('/').pop()!);

after(async () => store.delete(await store.list(`${reportsPrefix}/`)));

describe('sharing a report through presigned links, bucket private', () => {
  let run: ReportRun;
  let page: string;

  before(async () => {
    const request = reportRequestSchema.parse({
      source: 'reference',
      from: '2004-04-01',
      to: '2004-04-15',
      pollutants: ['co_gt'],
      share: { expiresIn: '10m' },
    });
    const asked = Date.now();
    const result = await runReport(request, { store, topic: config.topics.readings, reportsPrefix });
    if (result.outcome === 'skipped') assert.fail(result.reason);
    run = result;
    assert.ok(run.share, 'the run asked to be shared');
    const expiresAt = Date.parse(run.share.expiresAt);
    // Signed during the run, to the second: 10 minutes from then.
    assert.ok(
      expiresAt >= Math.floor(asked / 1000) * 1000 + 600_000 && expiresAt <= Date.now() + 600_000,
      run.share.expiresAt,
    );
    assert.equal(run.share.cutShortByCredentials, false, 'static local credentials never expire');
    assert.equal(run.share.runId, run.runId);
    assert.match(
      run.share.key,
      new RegExp(`^${reportsPrefix}/shares/${run.runId.replace(/\./g, '\\.')}/[0-9a-f-]{36}\\.html$`),
    );
  });

  it('opens the page without credentials, and every file it links to', async () => {
    const response = await fetch(run.share!.url);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    page = await response.text();
    assert.match(
      page,
      new RegExp(
        `Shared copy of report run ${run.runId.replace(/\./g, '\\.')}\\. .* until ${run.share!.expiresAt.replace(/\./g, '\\.')};`,
      ),
    );
    assert.match(page, /<h1[^>]*>Air-quality report<\/h1>/);
    assert.ok((page.match(/<img src="data:image\/png;base64,/g) ?? []).length >= 5, 'the charts are inlined');

    const urls = linkedUrls(page);
    const expected = run.artifacts.map((a) => a.name).filter((name) => name !== 'index.html');
    assert.deepEqual(urls.map(artifactName).sort(), expected.sort(), 'the Files list links every artifact, presigned');
    for (const url of urls) {
      const file = await fetch(url);
      assert.equal(file.status, 200, artifactName(url));
      const published = (await store.get(`${run.prefix}${artifactName(url)}`))!;
      assert.deepEqual(new Uint8Array(await file.arrayBuffer()), published.body, artifactName(url));
      if (url.includes('.png?')) assert.equal(file.headers.get('content-type'), 'image/png');
    }
  });

  it('refuses the same objects without a signature', async () => {
    assert.equal((await fetch(unsigned(run.share!.url))).status, 403);
    const [first] = linkedUrls(page);
    assert.equal((await fetch(unsigned(first!))).status, 403);
  });

  it('refuses a link once it has expired (1 s link of latest, fetched 2 s later)', async () => {
    const share = await shareReport(store, { run: 'latest', expiresInSeconds: 1, reportsPrefix });
    assert.equal(share.runId, run.runId, 'latest resolves to the run it mirrors');
    await sleep(Date.parse(share.expiresAt) + 1000 - Date.now());
    const response = await fetch(share.url);
    assert.equal(response.status, 403);
    assert.match(await response.text(), /<Code>AccessDenied<\/Code>.*expired/s);
  });

  it('prints a working link from the CLI, and refuses an expiry longer than 7 days', async () => {
    const cli = (...args: string[]) =>
      promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'scripts/report-share.ts', ...args, '--prefix', reportsPrefix],
        { cwd: root },
      );
    const { stdout } = await cli(run.runId, '--expires', '5m', '--json');
    const share = JSON.parse(stdout);
    assert.equal(share.runId, run.runId);
    assert.equal((await fetch(share.url)).status, 200);

    await assert.rejects(cli('latest', '--expires', '8d'), (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 1);
      assert.match(error.stderr, /A link's expiry must be a duration from 1s to 7d \(the SigV4 maximum\).*got "8d"/);
      return true;
    });
  });

  it('names a run that does not exist', async () => {
    await assert.rejects(
      shareReport(store, { run: '2001-01-01T00-00-00.000Z', expiresInSeconds: 60, reportsPrefix }),
      /No report run 2001-01-01T00-00-00\.000Z at s3:\/\/air-quality\/tests\/report-share\/.*share "latest"/,
    );
    await assert.rejects(
      shareReport(store, { run: 'latest', expiresInSeconds: 60, reportsPrefix: `${reportsPrefix}-empty` }),
      /No report under .*latest\/ yet: publish one first/,
    );
  });

  it('validates the share field of a report request', () => {
    assert.deepEqual(reportRequestSchema.parse({ share: {} }).share, { expiresIn: 86400 });
    const issue = (share: object) =>
      reportRequestSchema.safeParse({ share }).error!.issues.map((i) => [i.path.join('.'), i.message]);
    assert.deepEqual(issue({ expiresIn: '8d' }), [
      [
        'share.expiresIn',
        `A link's expiry must be a duration from 1s to 7d (the SigV4 maximum), e.g. 30m, 24h, 7d, or whole seconds; got "8d".`,
      ],
    ]);
    assert.deepEqual(issue({ expires: '1h' }), [['share', 'unknown field(s) expires; allowed: expiresIn']]);
  });
});
