import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { offsetsToPin } from '../../src/positions';

describe('offsetsToPin', () => {
  it('pins only the partitions without a committed offset', () => {
    const committed = [
      { partition: 0, offset: '17' },
      { partition: 1, offset: '-1' },
      { partition: 2, offset: '-1' },
    ];
    const starts = [
      { partition: 0, offset: '40' },
      { partition: 1, offset: '41' },
      { partition: 2, offset: '0' },
    ];
    assert.deepEqual(offsetsToPin(committed, starts), [
      { partition: 1, offset: '41' },
      { partition: 2, offset: '0' },
    ]);
    assert.deepEqual(offsetsToPin([{ partition: 0, offset: '3' }], starts), []);
  });
});
