import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cutBatch, firstHalf, MAX_PAYLOAD_BYTES } from '../../src/batch';

const records = (count: number, bytes = 10, deliver = true) =>
  Array.from({ length: count }, () => ({ bytes, deliver }));
const limits = { maxRecords: 3, maxPayloadBytes: MAX_PAYLOAD_BYTES, overheadBytes: 50 };

describe('cutBatch', () => {
  it('takes up to maxRecords and reports the batch full', () => {
    assert.deepEqual(cutBatch(records(5), limits), { take: 3, delivered: 3, full: true });
    assert.deepEqual(cutBatch(records(2), limits), { take: 2, delivered: 2, full: false });
    assert.deepEqual(cutBatch([], limits), { take: 0, delivered: 0, full: false });
  });

  it('counts the serialized event: overhead, records and the commas between them', () => {
    // 50 + 10 + 1 + 10 = 71 fits in 71; a third record would need 82.
    assert.deepEqual(cutBatch(records(3), { ...limits, maxPayloadBytes: 71 }), { take: 2, delivered: 2, full: true });
    assert.deepEqual(cutBatch(records(3), { ...limits, maxPayloadBytes: 70 }), { take: 1, delivered: 1, full: true });
  });

  it('cuts a single oversized record alone', () => {
    assert.deepEqual(cutBatch(records(2, 500), { ...limits, maxPayloadBytes: 100 }), {
      take: 1,
      delivered: 1,
      full: true,
    });
  });

  it('carries filtered records along (trailing ones too, so they are committed) without counting them', () => {
    const buffered = [...records(2, 10, false), ...records(3), ...records(1, 10, false), ...records(1)];
    assert.deepEqual(cutBatch(buffered, limits), { take: 6, delivered: 3, full: true });
    assert.deepEqual(cutBatch(records(4, 10, false), limits), { take: 4, delivered: 0, full: false });
  });
});

describe('firstHalf', () => {
  it('takes the first half of the delivered records, rounded up, with the filtered ones among them', () => {
    assert.equal(firstHalf(records(4)), 2);
    assert.equal(firstHalf(records(5)), 3);
    assert.equal(firstHalf([...records(1, 10, false), ...records(2), ...records(1, 10, false), ...records(2)]), 3);
    assert.equal(firstHalf(records(1)), 1);
  });
});
