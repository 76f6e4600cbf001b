/** Event shape and batching against the real broker. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_PAYLOAD_BYTES } from '../../src/batch';
import { jsonBytes } from '../../src/event';
import {
  decodedValue,
  Harness,
  mappingFor,
  numbered,
  produce,
  recordsOf,
  suiteTopics,
  waitFor,
} from '../support/kafka';

describe('delivery', () => {
  const topics = suiteTopics(4);

  it('delivers the self-managed event shape, valid for the Powertools schema', async () => {
    const topic = topics[0]!;
    await produce(topic, [
      { key: 'S1', value: '{"co":2.1}', headers: { trace: 'abc', tag: ['x', 'y'] }, partition: 1 },
      { key: null, value: '{"co":3}', partition: 1 },
    ]);
    const harness = new Harness({
      mapping: mappingFor(topic, {
        bootstrapServers: ['localhost:29092', '127.0.0.1:29092'],
        maximumBatchingWindowMs: 500,
      }),
    });
    await harness.worker.start();
    try {
      await waitFor('2 records', () => harness.events.flatMap(recordsOf).length === 2);
    } finally {
      await harness.worker.stop();
    }
    const event = harness.events[0]!;
    assert.equal(event.eventSource, 'SelfManagedKafka');
    assert.equal(event.bootstrapServers, 'localhost:29092,127.0.0.1:29092');
    assert.deepEqual(Object.keys(event.records), [`${topic}-1`]);
    const [first, second] = event.records[`${topic}-1`]!;
    assert.equal(first!.topic, topic);
    assert.equal(first!.partition, 1);
    assert.equal(first!.offset, 0);
    assert.equal(second!.offset, 1);
    assert.equal(first!.timestampType, 'CREATE_TIME');
    assert.ok(Math.abs(first!.timestamp - Date.now()) < 60_000, 'timestamp is the record time, in ms');
    assert.equal(Buffer.from(first!.key!, 'base64').toString(), 'S1');
    assert.deepEqual(decodedValue(first!), { co: 2.1 });
    assert.deepEqual(first!.headers, [{ trace: [...Buffer.from('abc')] }, { tag: [120] }, { tag: [121] }]);
    assert.equal('key' in second!, false);
  });

  it('delivers the MSK event with its cluster ARN', async () => {
    const topic = topics[1]!;
    const arn = 'arn:aws:kafka:us-east-1:123456789012:cluster/local/abcd-1';
    await produce(topic, numbered(0, 3));
    const harness = new Harness({
      mapping: mappingFor(topic, { source: { eventSource: 'aws:kafka', eventSourceArn: arn } }),
    });
    await harness.worker.start();
    try {
      await waitFor('3 records', () => harness.received().length === 3);
    } finally {
      await harness.worker.stop();
    }
    assert.ok(harness.events.every((event) => event.eventSource === 'aws:kafka' && event.eventSourceArn === arn));
  });

  it('cuts batches at batchSize, and waits for the batching window to fill a batch', async () => {
    const topic = topics[2]!;
    await produce(
      topic,
      numbered(0, 35).map((message) => ({ ...message, partition: 0 })),
    );
    const sized = new Harness({ mapping: mappingFor(topic, { batchSize: 10, maximumBatchingWindowMs: 200 }) });
    await sized.worker.start();
    try {
      await waitFor('35 records', () => sized.received().length === 35);
    } finally {
      await sized.worker.stop();
    }
    const sizes = sized.summaries.map((summary) => summary.records);
    console.log(`batchSize 10, 35 records on one partition: batches ${sizes.join(', ')}`);
    assert.deepEqual(sizes, [10, 10, 10, 5]);

    // Records trickling in one by one within the window are delivered together. The window is far longer than the
    // test, so only a full batch cuts it; each record is fetched (polled) before the next one is produced, so a lane
    // that did not wait would have invoked with the first records alone.
    const windowed = new Harness({
      mapping: mappingFor(topic, {
        batchSize: 4,
        maximumBatchingWindowMs: 300_000,
        startingPosition: { type: 'LATEST' },
      }),
      metricsIntervalMs: 20,
    });
    await windowed.worker.start();
    try {
      for (let n = 100; n < 104; n += 1) {
        await produce(topic, [{ value: JSON.stringify({ n }), partition: 1 }]);
        if (n < 103) await waitFor(`record ${n} polled`, () => windowed.metricTotal('PolledEventCount') === n - 99);
      }
      await waitFor('4 records', () => windowed.received().length === 4);
    } finally {
      await windowed.worker.stop();
    }
    console.log(
      `window 300 s, batch size 4, 4 records produced one by one: batches ${windowed.summaries.map((s) => s.records).join(', ')}`,
    );
    assert.deepEqual(
      windowed.summaries.map((summary) => summary.records),
      [4],
    );
  });

  it('keeps every event under the 6 MB payload limit', async () => {
    const topic = topics[3]!;
    const big = 'x'.repeat(900_000);
    for (let n = 0; n < 8; n += 1) await produce(topic, [{ value: JSON.stringify({ n, big }), partition: 0 }]);
    const harness = new Harness({ mapping: mappingFor(topic, { batchSize: 100, maximumBatchingWindowMs: 3000 }) });
    await harness.worker.start();
    try {
      await waitFor('8 records', () => harness.events.flatMap(recordsOf).length === 8);
    } finally {
      await harness.worker.stop();
    }
    const sizes = harness.events.map(jsonBytes);
    console.log(`8 records of 0.9 MB: events of ${sizes.map((s) => (s / 2 ** 20).toFixed(2)).join(', ')} MiB`);
    assert.ok(sizes.every((size) => size <= MAX_PAYLOAD_BYTES));
    assert.ok(harness.events.length >= 2);
  });
});
