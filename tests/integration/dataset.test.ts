import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DeleteBucketCommand } from '@aws-sdk/client-s3';
import { zipSync } from 'fflate';
import { loadConfig } from '../../shared/config';
import { createServer } from 'node:net';
import {
  DatasetUnavailableError,
  loadPreparedDataset,
  OFFICIAL_ZIP_URL,
  REFERENCE_PREFIX,
  resolveDataset,
  STAGED_CSV_KEY,
} from '../../shared/dataset';
import { ObjectStoreUnavailableError, S3ObjectStore } from '../../shared/object-store';
import { createS3Client } from '../../shared/s3';
import { ensureBucket } from '../../stack/provision';
import { datasetPath } from '../support/dataset';

// A bucket of its own, so "nothing staged yet" is a real state and the pipeline bucket is untouched.
const base = loadConfig();
const config = { ...base, s3: { ...base.s3, bucket: `test-dataset-${randomUUID().slice(0, 8)}` } };
const store = new S3ObjectStore(config.s3);
const csvBytes = readFileSync(datasetPath());

/** A local port nothing listens on: bound by the system, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Stands in for the internet, which this machine cannot reach: it serves the official zip, or fails. */
const zipServer = (calls: string[]) => async (url: string) => {
  calls.push(url);
  return zipSync({ 'AirQualityUCI.csv': csvBytes, 'AirQualityUCI.xlsx': new Uint8Array([1, 2, 3]) });
};
const offline = async (url: string): Promise<Uint8Array> => {
  throw new Error(`getaddrinfo ENOTFOUND ${new URL(url).host}`);
};

describe('dataset resolution and staging (real MinIO)', () => {
  before(() => ensureBucket(config));
  after(async () => {
    await store.delete(await store.list(''));
    await createS3Client(config.s3).send(new DeleteBucketCommand({ Bucket: config.s3.bucket }));
  });

  it('with nothing staged and no network, fails naming every place it looked and the fix', async () => {
    await assert.rejects(resolveDataset(store, '', offline), (error: Error) => {
      assert.ok(error instanceof DatasetUnavailableError);
      assert.match(error.message, /AIR_QUALITY_DATASET \(unset\)/);
      assert.ok(error.message.includes(STAGED_CSV_KEY));
      assert.ok(error.message.includes(OFFICIAL_ZIP_URL));
      assert.match(error.message, /ENOTFOUND/);
      assert.match(error.message, /Fix: set AIR_QUALITY_DATASET/);
      return true;
    });
  });

  it('downloads the official zip once, stages the csv, and then reads the staged copy', async () => {
    const calls: string[] = [];
    const first = await resolveDataset(store, '', zipServer(calls));
    assert.deepEqual(calls, [OFFICIAL_ZIP_URL]);
    assert.equal(first.csv, csvBytes.toString('latin1'));
    const staged = await store.head(STAGED_CSV_KEY);
    assert.equal(staged?.metadata.sha256, first.sha256);
    const second = await resolveDataset(store, '', zipServer(calls));
    assert.equal(calls.length, 1, 'the staged copy must be used instead of a second download');
    assert.equal(second.origin, `s3://${config.s3.bucket}/${STAGED_CSV_KEY}`);
    assert.equal(second.sha256, first.sha256);
  });

  it('prefers an explicit path (csv or zip), stages only the raw csv and cleans it in memory', async () => {
    const zipPath = join(tmpdir(), `uci-${randomUUID()}.zip`);
    writeFileSync(zipPath, zipSync({ 'AirQualityUCI.csv': csvBytes }));
    const prepared = await loadPreparedDataset(store, zipPath, offline);
    assert.equal(prepared.source.origin, zipPath);
    assert.equal(prepared.table.numRows(), 9357);
    assert.deepEqual(await store.list(REFERENCE_PREFIX), [STAGED_CSV_KEY]);
  });

  it('names the setting and the fix when the explicit path is wrong', async () => {
    await assert.rejects(
      resolveDataset(store, '/nonexistent/AirQualityUCI.csv', offline),
      /AIR_QUALITY_DATASET=\/nonexistent\/AirQualityUCI.csv could not be read: .*ENOENT.*Point it at the UCI csv or the official zip/,
    );
  });

  it('with the object store down, blames the object store (endpoint, bucket, fix), not a valid AIR_QUALITY_DATASET', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const down = new S3ObjectStore({ ...config.s3, endpoint });
    for (const setting of [datasetPath(), '']) {
      await assert.rejects(resolveDataset(down, setting, zipServer([])), (error: Error) => {
        assert.ok(error instanceof ObjectStoreUnavailableError, `${error.name}: ${error.message}`);
        assert.ok(error.message.includes(`at ${endpoint} bucket ${config.s3.bucket}`), error.message);
        assert.match(
          error.message,
          /Is the object store running\? Locally: npm run stack:up; otherwise check S3_ENDPOINT/,
        );
        assert.doesNotMatch(error.message, /AIR_QUALITY_DATASET|dataset was not found/);
        return true;
      });
    }
  });
});
