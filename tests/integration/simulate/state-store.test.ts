import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../../shared/config';
import { S3ObjectStore } from '../../../shared/object-store';
import {
  ConcurrentSimulationError,
  InvalidSimulatorStateError,
  SimulatorStateStore,
} from '../../../functions/simulate/state-store';

const store = new S3ObjectStore(loadConfig().s3);
const prefix = `tests/simulate-state/${randomUUID()}/`;
const cursorAt = (name: string) => new SimulatorStateStore(store, `${prefix}${name}.json`);

after(async () => store.delete(await store.list(prefix)));

describe('the simulator cursor on the real MinIO', () => {
  it('starts at sequence 0, and a reservation is what the next run reads', async () => {
    const cursor = cursorAt('fresh');
    const first = await cursor.read();
    assert.deepEqual(first, { state: { nextSequence: 0 } });
    await cursor.reserve(first, { nextSequence: 30, replay: { anchorMs: 1_700_000_000_000, nextPosition: 10 } });
    const second = await cursor.read();
    assert.deepEqual(second.state, { nextSequence: 30, replay: { anchorMs: 1_700_000_000_000, nextPosition: 10 } });
    assert.ok(second.etag);
  });

  it('of two runs that read the same cursor, exactly one reserves; the other is told to invoke again', async () => {
    for (const name of ['absent', 'present']) {
      const cursor = cursorAt(name);
      if (name === 'present') await cursor.reserve(await cursor.read(), { nextSequence: 5 });
      const read = await cursor.read();
      const outcomes = await Promise.allSettled([
        cursor.reserve(read, { nextSequence: read.state.nextSequence + 10 }),
        cursor.reserve(read, { nextSequence: read.state.nextSequence + 20 }),
      ]);
      const lost = outcomes.filter((o) => o.status === 'rejected');
      assert.equal(lost.length, 1, `${name}: ${JSON.stringify(outcomes)}`);
      assert.ok((lost[0] as PromiseRejectedResult).reason instanceof ConcurrentSimulationError);
      assert.match((lost[0] as PromiseRejectedResult).reason.message, /nothing was sent\. Invoke again/);
      const won = outcomes.findIndex((o) => o.status === 'fulfilled');
      assert.equal((await cursor.read()).state.nextSequence, read.state.nextSequence + (won === 0 ? 10 : 20), name);
    }
  });

  it('a damaged cursor is refused with what is wrong and how to fix it, not silently restarted at 0', async () => {
    const cases: [string, RegExp][] = [
      ['{"nextSequence": -3}', /nextSequence: .*>=0/],
      ['{"nextSequence": 4, "replay": {"anchorMs": "yesterday", "nextPosition": 1}}', /replay\.anchorMs: .*number/],
      ['{"next', /not JSON/],
    ];
    for (const [body, problem] of cases) {
      const key = `${prefix}damaged-${randomUUID()}.json`;
      await store.put(key, body);
      await assert.rejects(new SimulatorStateStore(store, key).read(), (error: Error) => {
        assert.ok(error instanceof InvalidSimulatorStateError, error.message);
        assert.match(error.message, problem);
        assert.match(
          error.message,
          new RegExp(
            `s3://${store.bucket}/${key} is not a simulator cursor .*nothing was sent\\. Fix: restore its previous version`,
          ),
        );
        return true;
      });
    }
  });
});
