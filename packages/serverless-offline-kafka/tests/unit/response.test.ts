import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readOutcome } from '../../src/response';

const offsets = [10, 11, 12, 13];

describe('readOutcome', () => {
  it('treats no result, other results and an empty failure list as success', () => {
    for (const result of [undefined, null, 'done', { statusCode: 200 }, { batchItemFailures: [] }]) assert.deepEqual(readOutcome(result, 0, offsets), { kind: 'success' });
  });

  it('fails from the lowest reported offset on', () => {
    const result = { batchItemFailures: [{ itemIdentifier: { partition: 2, offset: 13 } }, { itemIdentifier: { partition: 2, offset: 11 } }] };
    assert.deepEqual(readOutcome(result, 2, offsets), { kind: 'partial', fromOffset: 11, failed: 3 });
    assert.deepEqual(readOutcome({ batchItemFailures: [{ itemIdentifier: '12' }] }, 0, offsets), { kind: 'partial', fromOffset: 12, failed: 2 });
  });

  it('fails the whole batch on a malformed response, as Lambda does', () => {
    assert.equal(readOutcome({ batchItemFailures: 'x' }, 0, offsets).kind, 'error');
    assert.match((readOutcome({ batchItemFailures: [{ itemIdentifier: { partition: 0, offset: 99 } }] }, 0, offsets) as { message: string }).message, /offset 99.*not in the batch/);
    assert.match((readOutcome({ batchItemFailures: [{ itemIdentifier: { partition: 1, offset: 10 } }] }, 0, offsets) as { message: string }).message, /partition 1/);
    assert.equal(readOutcome({ batchItemFailures: [{ itemIdentifier: '' }] }, 0, offsets).kind, 'error');
  });
});
