import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { loadConfig } from '../../shared/config';
import { PreconditionFailedError, S3ObjectStore, unchangedSince, versionsUnderClaim } from '../../shared/object-store';
import { createS3Client } from '../../shared/s3';

const config = loadConfig();
const client = createS3Client(config.s3);
const store = new S3ObjectStore(config.s3, client);
const prefix = `tests/object-store/${randomUUID()}/`;

after(async () => store.delete(await store.list(prefix)));

describe('S3ObjectStore against the real MinIO', () => {
  it('copy duplicates body, content type and metadata server-side, also for keys that need URL encoding', async () => {
    const source = `${prefix}run/co gt+ä%20 chart.png`;
    const destination = `${prefix}latest/co gt+ä%20 chart.png`;
    const body = new Uint8Array([137, 80, 78, 71, 0, 255, 1, 2]);
    await store.put(source, body, { contentType: 'image/png', metadata: { 'report-run': 'run-1' } });
    await store.copy(source, destination);
    const copied = (await store.get(destination))!;
    assert.deepEqual(copied.body, body);
    assert.deepEqual(copied.metadata, { 'report-run': 'run-1' });
    const head = await client.send(new HeadObjectCommand({ Bucket: store.bucket, Key: destination }));
    assert.equal(head.ContentType, 'image/png');
  });

  it('copy overwrites the destination', async () => {
    await store.put(`${prefix}a.txt`, 'new', { contentType: 'text/plain' });
    await store.put(`${prefix}b.txt`, 'old', { contentType: 'text/plain' });
    await store.copy(`${prefix}a.txt`, `${prefix}b.txt`);
    assert.equal(new TextDecoder().decode((await store.get(`${prefix}b.txt`))!.body), 'new');
  });

  it('a conditional put refuses an object changed or deleted since it was read, and one that appeared since it was absent', async () => {
    const key = `${prefix}conditional.txt`;
    const { etag } = await store.put(key, 'v1', unchangedSince(undefined));
    await assert.rejects(store.put(key, 'again', unchangedSince(undefined)), PreconditionFailedError);
    const { etag: second } = await store.put(key, 'v2', unchangedSince(etag));
    await assert.rejects(store.put(key, 'stale', unchangedSince(etag)), PreconditionFailedError);
    await store.delete([key]);
    await assert.rejects(store.put(key, 'after delete', unchangedSince(second)), PreconditionFailedError);
    assert.equal(await store.head(key), undefined);
  });

  it('versionsUnderClaim reads the versions to write on, and refuses once another writer took the claim', async () => {
    const claimKey = `${prefix}claim.json`;
    const { etag: claimed } = await store.put(claimKey, '{"owner":"a"}', unchangedSince(undefined));
    const { etag: existing } = await store.put(`${prefix}data-1`, 'left by a failed attempt');
    const versions = await versionsUnderClaim(store, [`${prefix}data-1`, `${prefix}data-2`], {
      key: claimKey,
      etag: claimed,
    });
    assert.deepEqual(
      versions,
      new Map([
        [`${prefix}data-1`, existing],
        [`${prefix}data-2`, undefined],
      ]),
    );
    await store.put(claimKey, '{"owner":"b"}', unchangedSince(claimed));
    await assert.rejects(
      versionsUnderClaim(store, [`${prefix}data-1`], { key: claimKey, etag: claimed }),
      PreconditionFailedError,
    );
    // Nothing found, nothing a later claimant can have written: the conditional creates fence on their own.
    assert.deepEqual(
      await versionsUnderClaim(store, [`${prefix}data-3`], { key: claimKey, etag: claimed }),
      new Map([[`${prefix}data-3`, undefined]]),
    );
  });

  it('copying a missing object fails naming both keys, and creates nothing', async () => {
    await assert.rejects(
      store.copy(`${prefix}absent.txt`, `${prefix}target.txt`),
      /Cannot copy tests\/object-store\/.*\/absent\.txt to .*\/target\.txt at .* bucket air-quality: .*/,
    );
    assert.equal(await store.head(`${prefix}target.txt`), undefined);
  });
});
