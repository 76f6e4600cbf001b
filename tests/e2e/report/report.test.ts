/**
 * The report through its real path: `sls invoke local` (esbuild bundle, fonts resolved from the bundle)
 * against MinIO, read back with an independent client (the minio SDK), then seen in MinIO's console
 * by a headless Chromium.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { loadConfig } from '../../../shared/config';
import type { ReportRun } from '../../../functions/report/run';
import { repoRoot } from '../../../stack/paths';
import { datasetPath } from '../../support/dataset';
import { minioClient } from '../../support/minio';
import { invocationResult, sls } from '../../../scripts/sls';

const config = loadConfig();
const bucket = config.s3.bucket;
const CONSOLE_URL = process.env.MINIO_CONSOLE_URL ?? 'http://localhost:9001';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = join(repoRoot, 'test-results/minio-console-report.png');
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const requested: { pollutants: string[] } = JSON.parse(
  readFileSync(resolve(repoRoot, 'events/report-reference.json'), 'utf8'),
);
const EXPECTED_NAMES = [
  'daily_pattern.png',
  'weekly_pattern.png',
  'correlation_matrix.png',
  'autocorrelation.png',
  'partial_autocorrelation.png',
  ...requested.pollutants.flatMap((p) => [`${p}_decomposition.png`, `${p}_anomalies.png`]),
  'correlation_matrix.csv',
  'correlation_matrix_pvalues.csv',
  'acf.csv',
  'pacf.csv',
  'anomalies.csv',
  'summary.md',
  'index.html',
].sort();

const minio = minioClient(config.s3);

async function listKeys(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const item of minio.listObjectsV2(bucket, prefix, true)) keys.push(item.name!);
  return keys.sort();
}

async function read(key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await minio.getObject(bucket, key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** `sls invoke local` prints the handler's result as indented JSON after the one-line logs. */
let run: ReportRun;
const bodies = new Map<string, Buffer>();
const names = () => run.artifacts.map((a) => a.name);

before(async () => {
  const invoked = await sls(
    ['invoke', 'local', '-f', 'report', '--path', 'events/report-reference.json'],
    { AIR_QUALITY_DATASET: datasetPath() },
    300_000,
  );
  assert.equal(invoked.code, 0, invoked.stderr + invoked.stdout);
  run = invocationResult<ReportRun>(invoked.stdout);
  for (const key of await listKeys(run.prefix)) bodies.set(key.slice(run.prefix.length), await read(key));
});

describe('report: sls invoke local → MinIO', () => {
  it('publishes every artifact under reports/<runId>/ with its content type', async () => {
    assert.equal(run.prefix, `reports/${run.runId}/`);
    assert.equal(run.rows, 9357);
    assert.deepEqual([...bodies.keys()].sort(), EXPECTED_NAMES);
    assert.deepEqual(names().sort(), EXPECTED_NAMES);
    const types: Record<string, RegExp> = {
      png: /^image\/png$/,
      csv: /^text\/csv/,
      md: /^text\/markdown/,
      html: /^text\/html/,
    };
    for (const artifact of run.artifacts) {
      const stat = await minio.statObject(bucket, artifact.key);
      assert.match(stat.metaData['content-type'], types[artifact.name.split('.').pop()!]!, artifact.name);
      assert.equal(stat.size, artifact.bytes, artifact.name);
    }
  });

  it('writes real PNG charts (signature, IHDR, a sensible size)', () => {
    for (const [name, body] of bodies) {
      if (!name.endsWith('.png')) continue;
      assert.deepEqual(body.subarray(0, 8), PNG_SIGNATURE, name);
      assert.equal(body.toString('latin1', 12, 16), 'IHDR', name);
      const [width, height] = [body.readUInt32BE(16), body.readUInt32BE(20)];
      assert.ok(width >= 400 && height >= 200, `${name} is ${width}×${height}`);
    }
  });

  it('writes CSVs with their headers and one row per correlated column', () => {
    const lines = (name: string) => bodies.get(name)!.toString('utf8').trimEnd().split('\n');
    const matrix = lines('correlation_matrix.csv');
    const columns = matrix[0]!.split(',');
    assert.equal(columns[0], 'column');
    assert.ok(columns.includes('co_gt') && !columns.includes('nmhc_gt'), 'NMHC (90 % missing) is excluded');
    assert.equal(matrix.length, columns.length);
    assert.equal(lines('correlation_matrix_pvalues.csv')[0], matrix[0]);
    assert.equal(lines('acf.csv')[0], 'pollutant,lag,acf,confint_lower,confint_upper');
    assert.equal(lines('pacf.csv')[0], 'pollutant,lag,pacf,confint_lower,confint_upper');
    const anomalies = lines('anomalies.csv');
    assert.equal(anomalies[0], 'timestamp,pollutant,value,residual,robust_z');
    assert.ok(anomalies.length > 1, 'the whole dataset has flagged hours');
  });

  it('index.html embeds every chart (the same PNG bytes) and summary.md links every other artifact', () => {
    const html = bodies.get('index.html')!.toString('utf8');
    assert.match(html, /^<!doctype html>/);
    for (const [name, body] of bodies)
      if (name.endsWith('.png'))
        assert.ok(html.includes(`data:image/png;base64,${body.toString('base64')}`), `index.html lacks ${name}`);
    const summary = bodies.get('summary.md')!.toString('utf8');
    for (const name of EXPECTED_NAMES.filter((n) => n !== 'index.html'))
      assert.ok(summary.includes(`](${name})`), `summary.md lacks a link to ${name}`);
  });

  it('reports/latest/ is an exact copy of the run', async () => {
    assert.deepEqual(
      await listKeys('reports/latest/'),
      EXPECTED_NAMES.map((n) => `reports/latest/${n}`),
    );
    for (const [name, body] of bodies) {
      assert.ok((await read(`reports/latest/${name}`)).equals(body), name);
      const stat = await minio.statObject(bucket, `reports/latest/${name}`);
      assert.equal(stat.metaData['report-run'], run.runId, name);
    }
  });
});

describe('report: MinIO console in headless Chromium', () => {
  const profile = mkdtempSync(join(tmpdir(), 'report-chromium-'));
  after(() => rmSync(profile, { recursive: true, force: true }));

  it('logs in, opens air-quality/reports/latest/ and lists index.html and every chart', {
    skip: existsSync(CHROMIUM)
      ? false
      : `no Chromium at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`,
  }, async () => {
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      // Tall enough for the whole listing in one screenshot.
      viewport: { width: 1400, height: 1250 },
    });
    try {
      const page = browser.pages()[0] ?? (await browser.newPage());
      await page.goto(`${CONSOLE_URL}/login`);
      await page.fill('#accessKey', config.s3.credentials!.accessKeyId);
      await page.fill('#secretKey', config.s3.credentials!.secretAccessKey);
      await page.click('#do-login');
      await page.waitForURL((url) => !url.pathname.startsWith('/login'));
      await page.goto(`${CONSOLE_URL}/browser/${bucket}`);
      // The community console asks once per browser profile to acknowledge its licence.
      const acknowledge = page.getByRole('button', { name: 'Acknowledge' });
      await acknowledge.waitFor({ timeout: 5_000 }).then(
        () => acknowledge.click(),
        () => undefined,
      );
      await page.getByText('reports', { exact: true }).click();
      await page.getByText('latest', { exact: true }).click();
      await page.waitForURL(/\/browser\/air-quality\/reports%2Flatest%2F$/);
      for (const name of names().filter((n) => n === 'index.html' || n.endsWith('.png'))) {
        await page.getByText(name, { exact: true }).waitFor({ state: 'visible' });
      }
      mkdirSync(join(repoRoot, 'test-results'), { recursive: true });
      await page.screenshot({ path: SCREENSHOT });
    } finally {
      await browser.close();
    }
  });
});
