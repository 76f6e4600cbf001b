import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compactTopic } from '../../../functions/compact/compact';
import { sinkPartition } from '../../../functions/sink/sink';
import { readWatermark } from '../../../shared/lake';
import { storeWithHooks } from '../../support/object-store';
import {
  assertEachOnce,
  DAY0,
  filesByDay,
  gate,
  hourlyRecords,
  sinkInBatches,
  sinkPorts,
  STATIONS,
  store,
  topicsRemovedAfterwards,
  writeLake,
} from './support';

const newTopic = topicsRemovedAfterwards();

const HOURS = 90;

describe('compaction racing the sink on one partition (forced interleavings)', () => {
  it('the sink moves the watermark (and writes late readings into a day being compacted) between the compacted file and its record', async () => {
    const topic = newTopic();
    await writeLake(topic, [0], HOURS);
    const written = gate();
    const compaction = compactTopic(store, { topic }, async (step) => {
      if (step.step === 'written' && step.day === DAY0) await written.wait();
    });
    await written.arrived;
    // While the compacted files wait to be recorded, the sink writes new hours, then late readings of the first day
    // (its hour 0 again, with new sequence numbers so that they are new readings).
    const next = HOURS * STATIONS.length;
    const newHours = hourlyRecords(topic, 0, [100, 101, 102], next);
    await sinkInBatches(newHours, 4);
    const lateOfDay0 = hourlyRecords(topic, 0, [0], next + newHours.length, 1000);
    await sinkInBatches(lateOfDay0, 2);
    const total = (HOURS + 3 + 1) * STATIONS.length;
    await assertEachOnce(topic, total, 'with the compaction waiting to record');
    written.open();
    const result = await compaction;
    assert.ok(result.days.some((d) => d.day === DAY0));
    await assertEachOnce(topic, total, 'after the compaction recorded on the newer watermark');
    // The late file of the first day is above the recorded range: still a visible small file, compacted next time.
    assert.deepEqual(await filesByDay(topic).then((f) => f.get(`0/${DAY0}`)), { small: 1, compacted: 1 });
    await compactTopic(store, { topic });
    assert.deepEqual(await filesByDay(topic).then((f) => f.get(`0/${DAY0}`)), { small: 0, compacted: 1 });
    await assertEachOnce(topic, total, 'after compacting the late readings');
  });

  it('a compaction records between the sink claiming the partition and moving its watermark: the sink repeats its write and commits', async () => {
    const topic = newTopic();
    await writeLake(topic, [0], HOURS);
    const filesPut = gate();
    const held = storeWithHooks(store, {
      beforePut: async (key) => {
        if (key.endsWith('.parquet')) await filesPut.wait();
      },
    });
    const next = HOURS * STATIONS.length;
    const batch = hourlyRecords(topic, 0, [90, 91, 92], next);
    const sinking = sinkPartition(batch, sinkPorts(held));
    await filesPut.arrived;
    const claimed = await readWatermark(store, topic, 0);
    assert.equal(claimed.nextOffset, next, 'the sink has claimed, not moved');
    const result = await compactTopic(store, { topic });
    assert.ok(result.days.length > 0 && result.deleted > 0);
    filesPut.open();
    const sunk = await sinking;
    assert.equal(sunk.nextOffset, next + batch.length);
    const state = await readWatermark(store, topic, 0);
    assert.equal(state.nextOffset, next + batch.length);
    assert.ok(state.compacted.length > 0, 'the compaction record survived the sink write');
    await assertEachOnce(topic, (HOURS + 3) * STATIONS.length, 'after both');
  });
});
