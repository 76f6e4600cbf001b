import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../../shared/config';
import { InvalidModelError } from '../../../shared/models/manifest';
import { ModelRegistry } from '../../../shared/models/registry';
import { S3ObjectStore } from '../../../shared/object-store';

const store = new S3ObjectStore(loadConfig().s3);
const registry = new ModelRegistry(store, `tests/registry/${randomUUID()}/`);
const pointer = (version: string) => ({ version, promotedAt: '2026-01-01T00:00:00.000Z', holdoutMae: 0.5 });

after(async () => store.delete(await store.list(registry.prefix)));

describe('the model pointer on the real MinIO', () => {
  it('promotes at the version read; a run that read the pointer earlier is told its version is published only', async () => {
    assert.equal(await registry.current('co_gt', 1), undefined);
    await registry.promote('co_gt', 1, pointer('v1'), undefined);
    const read = await registry.current('co_gt', 1);
    assert.deepEqual(read?.pointer, pointer('v1'));
    assert.equal(read?.etag, await registry.currentEtag('co_gt', 1));
    await registry.promote('co_gt', 1, pointer('v2'), read?.etag);
    await assert.rejects(
      registry.promote('co_gt', 1, pointer('v3'), read?.etag),
      /promoted a model for co_gt h1 meanwhile; version v3 is published but not promoted/,
    );
    assert.equal((await registry.current('co_gt', 1))?.pointer.version, 'v2');
  });

  it('a damaged pointer is refused, naming the object', async () => {
    await store.put(registry.currentKey('co_gt', 2), '{"version": 3}');
    await assert.rejects(registry.current('co_gt', 2), (error: Error) => {
      assert.ok(error instanceof InvalidModelError, String(error));
      assert.match(error.message, /current\.json is not a model pointer \(version: .*string.*\)\. Train again/);
      return true;
    });
  });
});
