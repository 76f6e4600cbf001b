import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lakeFolderPrefixes, topicPrefix } from '../../../shared/lake';

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

describe('lakeFolderPrefixes', () => {
  it('lists one day folder per UTC day the range touches, the end excluded', () => {
    assert.deepEqual(
      lakeFolderPrefixes('t', { from: day('2026-01-05') + 3600_000, to: day('2026-01-05') + 7200_000 }),
      ['lake/t/dt=2026-01-05/'],
    );
    assert.deepEqual(lakeFolderPrefixes('t', { from: day('2026-01-30') + 1, to: day('2026-02-02') }), [
      'lake/t/dt=2026-01-30/',
      'lake/t/dt=2026-01-31/',
      'lake/t/dt=2026-02-01/',
    ]);
  });

  it('holds the keys of both layouts: hour folders inside a day folder, and files directly in it', () => {
    const [prefix] = lakeFolderPrefixes('t', { from: day('2026-01-05'), to: day('2026-01-06') });
    for (const key of [
      'lake/t/dt=2026-01-05/hour=07/t+0+0000000000.parquet',
      'lake/t/dt=2026-01-05/t+0+0000000000.parquet',
    ])
      assert.ok(key.startsWith(prefix!), key);
  });

  it('lists the whole topic for an open range or one longer than a month', () => {
    assert.deepEqual(lakeFolderPrefixes('t', { from: -Infinity, to: Infinity }), [topicPrefix('t')]);
    assert.deepEqual(lakeFolderPrefixes('t', { from: day('2026-01-01'), to: Infinity }), [topicPrefix('t')]);
    assert.deepEqual(lakeFolderPrefixes('t', { from: day('2026-01-01'), to: day('2026-03-01') }), [topicPrefix('t')]);
  });
});
