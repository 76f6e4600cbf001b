import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { compactTopic } from '../../../functions/compact/compact';
import { sinkPartition } from '../../../functions/sink/sink';
import { readWatermark } from '../../../shared/lake';
import { storeWithHooks } from '../../support/object-store';
import { assertEachOnce, cleanUp, hourlyRecords, sinkInBatches, sinkPorts, store, uniqueTopic } from './support';

const topic = uniqueTopic();
after(() => cleanUp([topic]));

describe('an orphan re-created after the sink deleted it (a stale writer racing the delete)', () => {
  it('is never counted: hidden in the partition state until its day is compacted, then covered and deleted', async () => {
    const records = hourlyRecords(topic, 0, [...Array(90).keys()], 0);
    await sinkInBatches(records.slice(0, 10), 10);
    // An attempt on offsets 10..59 writes its files and dies before moving the watermark ...
    const orphans = new Map<string, Uint8Array | string>();
    const failing = storeWithHooks(store, {
      beforePut: (key, body) => {
        if (key.includes('/_watermarks/') && JSON.parse(String(body)).nextOffset > 10)
          throw new Error('injected failure before the watermark');
        if (key.endsWith('.parquet')) orphans.set(key, body);
      },
    });
    await assert.rejects(sinkPartition(records.slice(10, 60), sinkPorts(failing)), /injected failure/);
    // ... and the mapping gives up on those offsets: the next batch starts at 60, so their files are orphans.
    const result = await sinkPartition(records.slice(60), sinkPorts());
    assert.equal(result.orphansDeleted, orphans.size);
    assert.deepEqual((await readWatermark(store, topic, 0)).hidden.sort(), [...orphans.keys()].sort());
    const kept = 10 + (records.length - 60);

    // A stale writer's create lands after the delete (If-None-Match succeeds on a deleted key).
    const recreate = () => Promise.all([...orphans].map(([key, body]) => store.put(key, body)));
    await recreate();
    await assertEachOnce(topic, kept, 're-created orphans, hidden');

    await compactTopic(store, { topic });
    const state = await readWatermark(store, topic, 0);
    assert.deepEqual(state.hidden, [], 'compaction covered every orphan');
    for (const key of orphans.keys()) assert.equal(await store.head(key), undefined, `${key} deleted`);
    await recreate();
    await assertEachOnce(topic, kept, 're-created again, covered by the compacted days');
  });
});
