/** Per-partition order under concurrency, fan-out to several mappings, and a broker restart mid-stream. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Kafka } from 'kafkajs';
import { answers } from '../support/broker';
import {
  clientFor,
  createTopics,
  decodedValue,
  Harness,
  mappingFor,
  numbered,
  produce,
  recordsOf,
  suiteTopics,
  waitFor,
} from '../support/kafka';
import { noOwnBrokersReason, ownBrokers, type PlaintextBroker } from '../support/own-broker';
import type { LambdaKafkaEvent } from '../../src/event';

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
    // Every first invocation of a partition waits at a gate that opens once all three partitions are in their
    // handler at the same time: only a worker that really invokes partitions concurrently gets past it.
    const inHandler = new Set<number>();
    let openGate!: () => void;
    const allThreeIn = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    const gatedHandler = async (event: LambdaKafkaEvent) => {
      const [partition] = recordsOf(event).map((record) => record.partition);
      inHandler.add(partition!);
      if (inHandler.size === 3) openGate();
      await allThreeIn;
    };
    const first = new Harness({
      mapping: mappingFor(topic, { functionKey: 'first', batchSize: 7 }),
      partitionConcurrency: 3,
      handler: gatedHandler,
    });
    const second = new Harness({ mapping: mappingFor(topic, { functionKey: 'second', batchSize: 50 }) });
    await Promise.all([first.worker.start(), second.worker.start()]);
    try {
      for (let from = 0; from < 300; from += 50) await produce(topic, numbered(from, 50));
      await waitFor('all three partitions in the handler at once', () => inHandler.size === 3);
      await waitFor('300 records in both', () => first.received().length >= 300 && second.received().length >= 300);
    } finally {
      openGate();
      await Promise.all([first.worker.stop(), second.worker.stop()]);
    }
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
  });
});

describe('broker restart', { skip: noOwnBrokersReason }, () => {
  // A broker of the test's own: stopping the shared one would break every other test using it.
  let broker: PlaintextBroker;
  let client: Kafka;
  let topic: string;

  const startAndWait = async () => {
    await broker.start();
    await waitFor('the test broker to listen', () => answers(broker.brokers), 120_000);
  };

  before(async () => {
    broker = await (await ownBrokers()).plaintextBroker('offline-kafka-restart');
    client = clientFor(broker.brokers);
    await startAndWait();
    [topic] = (await createTopics(1, 3, client)).topics as [string];
  });
  after(() => broker?.remove());

  it('loses no record when the broker stops during an invocation and comes back', async () => {
    // The first invocation holds until the broker is down: the broker goes away with a batch in flight, its commit
    // still to be made, and more records fetched behind it.
    let releaseFirst!: () => void;
    const brokerDown = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    let invocations = 0;
    const harness = new Harness({
      mapping: mappingFor(topic, { batchSize: 10, bootstrapServers: broker.brokers }),
      sessionTimeoutMs: 10_000,
      handler: async () => {
        invocations += 1;
        if (invocations > 1) return;
        await brokerDown;
      },
    });
    await harness.worker.start();
    try {
      await produce(topic, numbered(0, 100), client);
      await waitFor('the first invocation', () => invocations > 0);
      await broker.stop();
      releaseFirst();
      await startAndWait();
      await produce(topic, numbered(100, 100), client);
      await waitFor('all 200 records', () => new Set(harness.received()).size === 200, 120_000);
    } finally {
      releaseFirst();
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
