import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { createFeatureWindow, featureSpecKey } from '@air-quality/preprocessing';
import { ConcurrentInferenceError, InvalidWindowStateError, WindowStore } from '../../../functions/infer/window-store';
import { loadConfig } from '../../../shared/config';
import { S3ObjectStore } from '../../../shared/object-store';

const store = new S3ObjectStore(loadConfig().s3);
const windows = new WindowStore(store, `tests/window-store/${randomUUID()}/`);
const spec = { columns: ['co_gt'] };

after(async () => store.delete(await store.list(windows.prefix)));

describe('the infer window store on the real MinIO', () => {
  it('round-trips a partition state; a claim makes an earlier reader lose its write', async () => {
    const fresh = await windows.read('round-trip', 0, spec);
    const state = { ...fresh.state, nextOffset: 12, windows: { 'station-1': createFeatureWindow(spec) } };
    const saved = await windows.write('round-trip', 0, fresh, state);
    const read = await windows.read('round-trip', 0, spec);
    assert.deepEqual(read, saved);
    await windows.claim('round-trip', 0, read);
    await assert.rejects(windows.write('round-trip', 0, read, state), ConcurrentInferenceError);
  });

  it('windows of another feature spec are dropped, the offset kept', async () => {
    const fresh = await windows.read('respec', 0, spec);
    await windows.write('respec', 0, fresh, {
      ...fresh.state,
      nextOffset: 5,
      windows: { s: createFeatureWindow(spec) },
    });
    const other = { columns: ['no2_gt'] };
    const read = await windows.read('respec', 0, other);
    assert.deepEqual(read.state, { version: 1, nextOffset: 5, specKey: featureSpecKey(other), windows: {} });
  });

  it('a damaged state is refused, naming the object, the problem and the fix', async () => {
    await store.put(
      windows.key('damaged', 3),
      JSON.stringify({ version: 1, nextOffset: -1, specKey: 'x', windows: {} }),
    );
    await assert.rejects(windows.read('damaged', 3, spec), (error: Error) => {
      assert.ok(error instanceof InvalidWindowStateError, String(error));
      assert.match(
        error.message,
        new RegExp(`s3://${store.bucket}/${windows.key('damaged', 3)} is not an infer window`),
      );
      assert.match(error.message, /nextOffset: .*>=0.*Fix: delete it/);
      return true;
    });
  });
});
