import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compactedFileKey, garbageFiles, visibleFiles, type PartitionView } from '../../../shared/lake';

const DAY = '2026-11-24';
const small = (partition: number, start: number, day = DAY) =>
  `lake/t/dt=${day}/t+${partition}+${String(start).padStart(10, '0')}.parquet`;
const compacted = (partition: number, through: number, day = DAY) => compactedFileKey('t', partition, day, through);
const view = (nextOffset: number, more: Partial<PartitionView> = {}): PartitionView => ({
  nextOffset,
  hidden: [],
  compacted: [],
  ...more,
});
const visible = (keys: string[], states: [number, PartitionView][]) =>
  visibleFiles(keys, new Map(states)).map((f) => f.key);

describe('visibleFiles (the exactly-once view)', () => {
  it('counts small files of finished batches only: below the watermark, and not hidden orphans', () => {
    const keys = [small(0, 0), small(0, 10), small(0, 20), small(0, 30), 'lake/t/_watermarks/t+0.json'];
    assert.deepEqual(visible(keys, [[0, view(30, { hidden: [small(0, 10)] })]]), [small(0, 0), small(0, 20)]);
  });

  it('counts nothing of a partition without state', () => {
    assert.deepEqual(visible([small(1, 0)], [[0, view(10)]]), []);
  });

  it('before the compacted day is recorded: the small files count, the new compacted file does not', () => {
    const keys = [small(0, 0), small(0, 10), compacted(0, 20)];
    assert.deepEqual(visible(keys, [[0, view(20)]]), [small(0, 0), small(0, 10)]);
  });

  it('once recorded: the compacted file counts instead of the small files below `through`, deleted or not', () => {
    const keys = [small(0, 0), small(0, 10), compacted(0, 20), small(0, 25), small(0, 5, '2026-11-25')];
    const state = view(30, { compacted: [{ day: DAY, through: 20, rows: 7 }] });
    assert.deepEqual(visible(keys, [[0, state]]), [compacted(0, 20), small(0, 25), small(0, 5, '2026-11-25')]);
  });

  it('counts only the compacted file its day records, not an older one or a newer unrecorded one', () => {
    const keys = [compacted(0, 10), compacted(0, 20), compacted(0, 30)];
    const state = view(40, { compacted: [{ day: DAY, through: 20, rows: 7 }] });
    assert.deepEqual(visible(keys, [[0, state]]), [compacted(0, 20)]);
  });

  it('gives each file the offsets that count: those below its partition watermark', () => {
    assert.deepEqual(visibleFiles([small(2, 3)], new Map([[2, view(9)]])), [
      { key: small(2, 3), partition: 2, day: DAY, offsetsBelow: 9 },
    ]);
  });
});

describe('garbageFiles', () => {
  it('is the covered small files and the compacted files older than the recorded one, nothing of other days', () => {
    const keys = [
      small(0, 0),
      small(0, 19),
      small(0, 20),
      compacted(0, 10),
      compacted(0, 20),
      compacted(0, 30),
      small(0, 3, '2026-11-25'),
      small(1, 0),
    ];
    const states = new Map([[0, view(40, { compacted: [{ day: DAY, through: 20, rows: 7 }] })]]);
    assert.deepEqual(garbageFiles(keys, states), [small(0, 0), small(0, 19), compacted(0, 10)]);
  });

  it('is nothing without a compacted day: unrecorded compacted files may be a running compaction', () => {
    assert.deepEqual(garbageFiles([small(0, 0), compacted(0, 10)], new Map([[0, view(20)]])), []);
  });
});
