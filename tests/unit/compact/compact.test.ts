import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closedDaysToCompact } from '../../../functions/compact/compact';
import { compactedFileKey } from '../../../shared/lake';

const small = (start: number, day: string, partition = 0) =>
  `lake/t/dt=${day}/t+${partition}+${String(start).padStart(10, '0')}.parquet`;
const state = (nextOffset: number, more = {}) => ({ partition: 0, nextOffset, hidden: [], compacted: [], ...more });

describe('closedDaysToCompact', () => {
  const keys = [small(0, '2026-11-01'), small(5, '2026-11-02'), small(9, '2026-11-03'), small(3, '2026-11-01', 1)];

  it('is every day with committed small files except the partition newest day', () => {
    assert.deepEqual(closedDaysToCompact(keys, state(20)), ['2026-11-01', '2026-11-02']);
  });

  it('leaves out days ending after `before`, and small files at or above the watermark', () => {
    assert.deepEqual(closedDaysToCompact(keys, state(20), Date.parse('2026-11-02T12:00:00Z')), ['2026-11-01']);
    assert.deepEqual(closedDaysToCompact(keys, state(5)), ['2026-11-01']);
  });

  it('skips a day already compacted that has no new small files', () => {
    const compacted = [{ day: '2026-11-01', through: 5, rows: 1 }];
    const withCompacted = [...keys, compactedFileKey('t', 0, '2026-11-01', 5)];
    assert.deepEqual(closedDaysToCompact(withCompacted, state(20, { compacted })), ['2026-11-02']);
    assert.deepEqual(closedDaysToCompact([...withCompacted, small(12, '2026-11-01')], state(20, { compacted })), [
      '2026-11-01',
      '2026-11-02',
    ]);
  });
});
