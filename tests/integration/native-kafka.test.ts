import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { groupCoordinatorAnswers, kafkaAnswers, waitUntil } from '../../stack/provision';
import { freshBroker, noJavaReason } from '../support/fresh-kafka';

describe('the native Kafka broker', { skip: noJavaReason }, () => {
  // One random cluster id in 64 starts with "-" (base64url); the storage tool must not read it as an option.
  it('formats its storage with a cluster id that starts with "-"', async () => {
    const broker = await freshBroker('kafka-format-test');
    mkdirSync(join(broker.dir, 'data'), { recursive: true });
    writeFileSync(join(broker.dir, 'data', 'kafka-cluster.id'), '-Ab3_xYz0123456789QQQQ');
    try {
      await broker.start();
      assert.ok(broker.process.pid() !== undefined, broker.process.tail(20));
    } finally {
      await broker.remove();
    }
  });

  // What stack:up waits for (metadata, then every group coordinator) is what a first consumer needs: on a new
  // data directory, group requests right after "metadata answers" used to fail with NOT_COORDINATOR.
  it('lets a consumer group start at once on a new data directory, 5 times in a row', async () => {
    for (let round = 1; round <= 5; round += 1) {
      const broker = await freshBroker('kafka-fresh-test');
      const { brokers } = broker;
      // One quick retry at most: the first group requests must succeed as they are, not eventually.
      const kafka = new Kafka({
        clientId: 'fresh-broker-test',
        brokers,
        logLevel: logLevel.NOTHING,
        retry: { retries: 1, initialRetryTime: 50 },
      });
      const admin = kafka.admin();
      try {
        await broker.start();
        await waitUntil(
          'the fresh broker',
          () => kafkaAnswers(brokers),
          60_000,
          () => broker.process.pid() !== undefined,
        );
        await waitUntil('its group coordinators', () => groupCoordinatorAnswers(brokers), 60_000);
        await admin.connect();
        const topic = `fresh-${round}`;
        await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3 }] });
        for (let n = 0; n < 20; n += 1)
          await admin.fetchOffsets({ groupId: `fresh-group-${randomUUID()}`, topics: [topic] });
        const groupId = `fresh-consumer-${round}`;
        const consumer = kafka.consumer({ groupId, retry: { retries: 1, initialRetryTime: 50 } });
        const crashed: Error[] = [];
        consumer.on(consumer.events.CRASH, ({ payload }) => crashed.push(payload.error));
        let delivered!: (value: string) => void;
        const received = new Promise<string>((resolve) => (delivered = resolve));
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({ eachMessage: async ({ message }) => delivered(String(message.value)) });
        const producer = kafka.producer({ idempotent: true }); // its first producer id is part of what the probe waits for
        await producer.connect();
        await producer.send({ topic, messages: [{ value: `round ${round}` }] });
        await producer.disconnect();
        const deadline = new AbortController();
        const timedOut = sleep(30_000, undefined, { signal: deadline.signal }).then(
          () => `nothing within 30 s (crashes: ${crashed.map((e) => e.message).join('; ')})`,
          () => '',
        );
        const value = await Promise.race([received, timedOut]);
        deadline.abort();
        await consumer.disconnect();
        assert.equal(value, `round ${round}`);
        assert.deepEqual(
          crashed.map((e) => e.message),
          [],
          `round ${round}: ${broker.process.tail(10)}`,
        );
      } finally {
        await admin.disconnect().catch(() => undefined);
        await broker.remove();
      }
    }
  });
});
