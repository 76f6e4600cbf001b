import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tableFromIPC } from '@uwdata/flechette';
import { readParquet } from 'parquet-wasm';
import { CompactionConflictError, compactTopic, type CompactionStep } from '../../../functions/compact/compact';
import { compactedFileKey, listLakeFiles, readWatermark } from '../../../shared/lake';
import { fromParquet } from '../../../shared/parquet';
import {
  assertEachOnce,
  DAY0,
  dataKeys,
  filesByDay,
  STATIONS,
  store,
  topicsRemovedAfterwards,
  writeLake,
} from './support';

const newTopic = topicsRemovedAfterwards();

const HOURS = 90;
const READINGS = HOURS * STATIONS.length;
/** 90 hours from 10:00 on DAY0 end at 03:00 on the fifth day: four closed days, the fifth is open. */
const CLOSED = ['2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27'];

/** After a complete compaction: one compacted file and no small file per closed day, the open day untouched. */
async function assertCompacted(topic: string, partitions: number[]): Promise<void> {
  const files = await filesByDay(topic);
  for (const p of partitions) {
    for (const day of CLOSED) assert.deepEqual(files.get(`${p}/${day}`), { small: 0, compacted: 1 }, `${p}/${day}`);
    assert.ok(files.get(`${p}/2026-11-28`)!.small > 0 && files.get(`${p}/2026-11-28`)!.compacted === 0);
  }
}

describe('compact against the real MinIO', () => {
  it('rewrites each closed day of each partition into one file sorted by (observedAt, offset), with row groups', async () => {
    const topic = newTopic();
    await writeLake(topic, [0, 1], HOURS);
    const before = (await dataKeys(topic)).length;
    const result = await compactTopic(store, { topic });
    assert.equal(result.days.length, 2 * CLOSED.length);
    assert.equal(
      result.deleted,
      result.days.reduce((n, d) => n + d.inputs, 0),
    );
    await assertCompacted(topic, [0, 1]);
    await assertEachOnce(topic, 2 * READINGS, 'after compaction');
    assert.ok((await dataKeys(topic)).length < before / 3, 'far fewer files');

    const { nextOffset } = await readWatermark(store, topic, 0);
    const bytes = (await store.get(compactedFileKey(topic, 0, DAY0, nextOffset)))!.body;
    const rows = fromParquet(bytes).objects() as { observedAt: Date; offset: number }[];
    // 10:00 to midnight, two stations.
    assert.equal(rows.length, 14 * STATIONS.length);
    const order = rows.map((r) => [+r.observedAt, r.offset]);
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a[0] - b[0] || a[1] - b[1]),
    );
    assert.ok(tableFromIPC(readParquet(bytes).intoIPCStream()).numRows === rows.length);

    // A second run has nothing to do.
    assert.deepEqual(await compactTopic(store, { topic }), { topic, days: [], deleted: 0 });
    // `before` holds back the days that end after it.
    const other = newTopic();
    await writeLake(other, [0], HOURS);
    const early = await compactTopic(store, { topic: other, before: Date.parse('2026-11-26T00:00:00Z') });
    assert.deepEqual(
      early.days.map((d) => d.day),
      ['2026-11-24', '2026-11-25'],
    );
  });

  for (const step of ['written', 'recorded', 'deleted'] as const) {
    it(`killed after its step "${step}": readers count every reading once before, at and after the crash, and the next run completes`, async () => {
      const topic = newTopic();
      await writeLake(topic, [0], HOURS);
      await assertEachOnce(topic, READINGS, 'before compaction');
      const crash = async (reached: CompactionStep) => {
        if (reached.step !== step) return;
        // Readers at this exact point, then the process dies: nothing after this step happens.
        await assertEachOnce(topic, READINGS, `at "${step}"`);
        throw new Error(`injected crash after ${step}`);
      };
      await assert.rejects(compactTopic(store, { topic }, crash), /injected crash/);
      await assertEachOnce(topic, READINGS, `after a crash at "${step}"`);
      await compactTopic(store, { topic });
      await assertEachOnce(topic, READINGS, `after the next run`);
      await assertCompacted(topic, [0]);
    });
  }

  it('two compactions at once: the one that loses gives up with a conflict, and the lake stays exact', async () => {
    const topic = newTopic();
    await writeLake(topic, [0, 1], HOURS);
    const outcomes = await Promise.allSettled([compactTopic(store, { topic }), compactTopic(store, { topic })]);
    assert.ok(outcomes.some((o) => o.status === 'fulfilled'));
    for (const o of outcomes)
      if (o.status === 'rejected') assert.ok(o.reason instanceof CompactionConflictError, String(o.reason));
    await assertEachOnce(topic, 2 * READINGS, 'after two compactions at once');
    await compactTopic(store, { topic });
    await assertCompacted(topic, [0, 1]);
    await assertEachOnce(topic, 2 * READINGS, 'after the next run');
  });

  it('a reader listing while a compaction records and deletes lists again and counts every reading once', async () => {
    const topic = newTopic();
    await writeLake(topic, [0], HOURS);
    // The reader has read the states (nothing compacted yet) and is listing: the compaction runs in full now.
    let compacted = false;
    const listing = {
      bucket: store.bucket,
      get: store.get.bind(store),
      head: store.head.bind(store),
      put: store.put.bind(store),
      copy: store.copy.bind(store),
      delete: store.delete.bind(store),
      list: async (prefix: string) => {
        if (!compacted && !prefix.endsWith('/_watermarks/')) {
          compacted = true;
          await compactTopic(store, { topic });
        }
        return store.list(prefix);
      },
    };
    const files = await listLakeFiles(listing, topic, { from: -Infinity, to: Infinity });
    assert.ok(compacted);
    assert.equal(files.filter((f) => f.key.endsWith('.compacted.parquet')).length, CLOSED.length);
    await assertCompacted(topic, [0]);
  });

  it('a reader that listed before a compaction deleted its files reads again and counts every reading once', async () => {
    const topic = newTopic();
    await writeLake(topic, [0], HOURS);
    let compacted = false;
    const reading = {
      bucket: store.bucket,
      list: store.list.bind(store),
      head: store.head.bind(store),
      put: store.put.bind(store),
      copy: store.copy.bind(store),
      delete: store.delete.bind(store),
      get: async (key: string) => {
        if (!compacted && key.includes('/dt=')) {
          compacted = true;
          await compactTopic(store, { topic });
        }
        return store.get(key);
      },
    };
    const { readLake } = await import('../../../shared/lake');
    const lake = await readLake(reading, topic, { from: -Infinity, to: Infinity });
    assert.ok(compacted);
    assert.equal(lake.numRows(), READINGS);
  });
});
