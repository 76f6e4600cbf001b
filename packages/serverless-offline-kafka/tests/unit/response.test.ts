import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readOutcome, type InvokedBatch } from '../../src/response';

const batch: InvokedBatch = { reportBatchItemFailures: true, topic: 'orders', partition: 2, offsets: [10, 11, 12, 13] };
const failure = (partition: unknown, offset: unknown) => ({ itemIdentifier: { partition, offset } });
const messageOf = (outcome: ReturnType<typeof readOutcome>) =>
  outcome.kind === 'error' ? outcome.message : assert.fail(`expected an error, got ${outcome.kind}`);

describe('readOutcome', () => {
  it('treats no result, other results, and an empty or null failure list as success', () => {
    for (const result of [
      undefined,
      null,
      'done',
      { statusCode: 200 },
      { batchItemFailures: [] },
      { batchItemFailures: null },
    ])
      assert.deepEqual(readOutcome(result, batch), { kind: 'success' });
  });

  it("reads AWS's documented shape: partition is the records key, the lowest failed offset is where the retry starts", () => {
    // The shape of https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html#kafka-partial-batch-response
    const result = { batchItemFailures: [failure('orders-2', 13), failure('orders-2', 11)] };
    assert.deepEqual(readOutcome(result, batch), { kind: 'partial', fromOffset: 11, failed: 3 });
  });

  it('ignores the failures when the mapping does not opt in with ReportBatchItemFailures, as Lambda does', () => {
    const result = { batchItemFailures: [failure('orders-2', 11)] };
    assert.deepEqual(readOutcome(result, { ...batch, reportBatchItemFailures: false }), {
      kind: 'success',
      ignored: 1,
    });
  });

  it('fails the whole batch for an identifier that names no record, saying what AWS expects', () => {
    const wrong = [
      failure(2, 11), // numeric partition
      failure('orders-1', 11), // another partition
      failure('orders-2', 99), // offset not in the batch
      failure('orders-2', '11'), // offset as a string
      { itemIdentifier: 11 }, // bare offset
      { itemIdentifier: '' },
      { itemIdentifier: null },
      { offset: 11, partition: 'orders-2' }, // wrong key
    ];
    for (const item of wrong) {
      const message = messageOf(readOutcome({ batchItemFailures: [failure('orders-2', 12), item] }, batch));
      assert.match(message, /names no record of the batch \(orders-2 offsets 10\.\.13\)/);
      assert.match(message, /"partition":"<topic>-<partition>","offset":<number>/);
    }
    assert.match(messageOf(readOutcome({ batchItemFailures: 'x' }, batch)), /not a list/);
  });
});
