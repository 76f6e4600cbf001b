/** Per-partition order under concurrency, fan-out to several mappings, and a broker restart mid-stream. */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { up } from '../../../../stack';
import { kafkaProcess } from '../../../../stack/native-kafka';
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

/** Checks that every key's values arrive in increasing order (keys map to one partition each). */
function assertOrderedPerPartition(harness: Harness): void {
  const lastSeen = new Map<number, number>();
  for (const record of harness.events.flatMap(recordsOf)) {
    const { n } = decodedValue(record) as { n: number };
    const previous = lastSeen.get(record.partition) ?? -1;
    assert.ok(n > previous, `partition ${record.partition}: ${n} arrived after ${previous}`);
    lastSeen.set(record.partition, n);
  }
}

describe('ordering and fan-out', () => {
  const topics = suiteTopics(1);

  it('keeps each partition in order while partitions run concurrently; two mappings each see every record', async () => {
    const topic = topics[0]!;
    let running = 0;
    let maxRunning = 0;
    const slowHandler = async () => {
      maxRunning = Math.max(maxRunning, ++running);
      await sleep(20);
      running -= 1;
    };
    const first = new Harness({
      mapping: mappingFor(topic, { functionKey: 'first', batchSize: 7 }),
      partitionConcurrency: 3,
      handler: slowHandler,
    });
    const second = new Harness({ mapping: mappingFor(topic, { functionKey: 'second', batchSize: 50 }) });
    await Promise.all([first.worker.start(), second.worker.start()]);
    try {
      for (let from = 0; from < 300; from += 50) await produce(topic, numbered(from, 50));
      await waitFor('300 records in both', () => first.received().length >= 300 && second.received().length >= 300);
    } finally {
      await Promise.all([first.worker.stop(), second.worker.stop()]);
    }
    console.log(`3 partitions, concurrency 3: at most ${maxRunning} invocations at once`);
    const all = Array.from({ length: 300 }, (_, n) => n);
    assert.deepEqual(
      [...first.received()].sort((a, b) => a - b),
      all,
    );
    assert.deepEqual(
      [...second.received()].sort((a, b) => a - b),
      all,
    );
    assertOrderedPerPartition(first);
    assertOrderedPerPartition(second);
    assert.ok(maxRunning > 1, 'partitions were invoked concurrently');
  });
});

describe('broker restart', () => {
  // After hooks run in the order they are registered: the broker is back before the topic is deleted.
  after(() => up());
  const topics = suiteTopics(1);

  it('loses no record when the broker restarts mid-stream', {
    skip: kafkaProcess.pid() === undefined && 'the broker was not started by this stack',
  }, async () => {
    const topic = topics[0]!;
    const harness = new Harness({
      mapping: mappingFor(topic, { batchSize: 10 }),
      sessionTimeoutMs: 10_000,
      handler: () => sleep(10),
    });
    await harness.worker.start();
    try {
      await produce(topic, numbered(0, 100));
      await waitFor('the stream to start', () => harness.received().length > 0);
      await kafkaProcess.stop();
      await up();
      await produce(topic, numbered(100, 100));
      await waitFor('all 200 records', () => new Set(harness.received()).size === 200, 120_000);
    } finally {
      await harness.worker.stop();
    }
    const received = harness.received();
    console.log(`broker restart: ${received.length} deliveries for 200 records (${received.length - 200} redelivered)`);
    assert.deepEqual(
      [...new Set(received)].sort((a, b) => a - b),
      Array.from({ length: 200 }, (_, n) => n),
    );
  });
});
