/** The sink behind the Kafka event source emulator (the plugin's MappingWorker), as under `sls offline start`. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { InvocationSummary } from 'serverless-offline-kafka';
import { parseDataFileKey, readWatermark, topicPrefix } from '../../../shared/lake';
import { S3ObjectStore, type ObjectStore } from '../../../shared/object-store';
import { KafkaMessageProducer } from '../../../shared/producer';
import { HOUR, reading, T0 } from '../../support/kafka-records';
import {
  allMessages,
  assertEveryReadingOnce,
  caughtUp,
  config,
  createTopics,
  deleteTopics,
  eventually,
  kafka,
  sinkWorker,
  uniqueTopic,
} from './support';
import { endOffsets } from '../../support/kafka';
import { storeWithHooks } from '../../support/object-store';

const topic = uniqueTopic();
const deadLetterTopic = `${topic}.dlq`;
const store = new S3ObjectStore(config.s3);
const producer = new KafkaMessageProducer(config.kafka, 'sink-test');
const stations = ['station-01', 'station-02', 'station-03', 'station-04'];
const topics = [topic, deadLetterTopic];

describe('sink behind the event source emulator', () => {
  before(() => createTopics([topic, deadLetterTopic]));
  after(async () => {
    await producer.disconnect();
    await deleteTopics(topics);
    await store.delete((await Promise.all(topics.map((t) => store.list(topicPrefix(t))))).flat());
  });

  it("a second emulator joins while the first has invocations in flight: the moved partition's old invocation fails, the lake stays exact", async () => {
    const racedTopic = uniqueTopic();
    topics.push(racedTopic);
    await createTopics([racedTopic], 2);
    await producer.send(
      racedTopic,
      Array.from({ length: 40 }, (_, sequence) =>
        stations.map((stationId) => ({
          key: stationId,
          value: JSON.stringify(reading(stationId, sequence, T0 + ((sequence * 5) % 11) * HOUR)),
        })),
      ).flat(),
    );
    const ends = await endOffsets(await kafka, racedTopic);
    assert.ok(
      [...ends.values()].every((end) => end > 0),
      'both partitions hold readings',
    );

    // The first emulator's data files wait at a gate: its invocations have claimed their partitions and are stuck mid-batch.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const stuck = new Set<number>();
    const gated = storeWithHooks(store, {
      beforePut: async (key) => {
        const file = parseDataFileKey(key);
        if (!file) return;
        stuck.add(file.partition);
        await gate;
      },
    });
    const consumerGroupId = `sink-test-${randomUUID().slice(0, 8)}`;
    const firstOutcomes: InvocationSummary[] = [];
    const ports = (target: ObjectStore) => ({
      store: target,
      deadLetters: producer,
      deadLetterTopic,
      now: () => performance.now(),
    });
    const first = sinkWorker({
      topic: racedTopic,
      consumerGroupId,
      batchSize: 23,
      ports: ports(gated),
      onInvocation: (summary) => firstOutcomes.push(summary),
    });
    const second = sinkWorker({ topic: racedTopic, consumerGroupId, batchSize: 17, ports: ports(store) });
    await first.start();
    try {
      await eventually('both partitions to be stuck mid-batch', async () => stuck.size === 2);
      // The rebalance gives the newcomer one partition, which it writes from the committed offset (0) to the end.
      await second.start();
      await eventually('the newcomer to finish its partition', async () =>
        (
          await Promise.all(
            [...ends].map(async ([p, end]) => (await readWatermark(store, racedTopic, p)).nextOffset === end),
          )
        ).some(Boolean),
      );
      open();
      await caughtUp(store, racedTopic);
    } finally {
      open();
      await Promise.all([first.stop(), second.stop()]);
    }
    const lost = firstOutcomes.filter((o) => o.outcome === 'error');
    assert.ok(lost.length >= 1, `the moved partition's old invocation failed: ${JSON.stringify(firstOutcomes)}`);
    assert.ok(
      lost.every((o) => /another invocation owns the partition/.test(o.detail ?? '')),
      lost[0]?.detail,
    );
    await assertEveryReadingOnce(store, racedTopic, stations.length * 40);
  });

  it('an object store outage at the start only delays the lake: every valid reading lands exactly once, the poison record in the DLQ', async () => {
    // Connection refused, as when MinIO is down: the first three writes fail, and the emulator retries their batches.
    const unreachable = new S3ObjectStore({ ...config.s3, endpoint: 'http://127.0.0.1:9' });
    let outage = 3;
    const flaky = storeWithHooks(store, {
      beforePut: async (key) => {
        if (outage-- > 0) await unreachable.put(key, '');
      },
    });
    const failures: string[] = [];
    const worker = sinkWorker({
      topic,
      consumerGroupId: `sink-test-${randomUUID().slice(0, 8)}`,
      batchSize: 37,
      ports: { store: flaky, deadLetters: producer, deadLetterTopic, now: () => performance.now() },
      onInvocation: (summary) => {
        if (summary.outcome === 'error') failures.push(summary.detail ?? '');
      },
    });
    await worker.start();
    try {
      for (let step = 0; step < 4; step++) {
        const sequences = Array.from({ length: 25 }, (_, i) => step * 25 + i);
        await producer.send(
          topic,
          sequences.flatMap((sequence) =>
            stations.map((stationId) => ({
              key: stationId,
              value: JSON.stringify(reading(stationId, sequence, T0 + sequence * HOUR)),
            })),
          ),
        );
        if (step === 1) await producer.send(topic, [{ key: 'station-02', value: 'not json at all' }]);
      }
      await caughtUp(store, topic);
    } finally {
      await worker.stop();
    }

    assert.ok(failures.length >= 1, 'the outage made an invocation fail');
    assert.ok(
      failures.every((f) => /Is the object store running\?/.test(f)),
      failures[0],
    );
    await assertEveryReadingOnce(store, topic, 400);
    const dead = await allMessages(deadLetterTopic);
    assert.deepEqual(
      dead.map((m) => m.message.value!.toString()),
      ['not json at all'],
    );
  });

  it('a non-ASCII header (signed Java bytes in the event, as Lambda sends them) neither blocks the partition nor gets lost on a dead letter, nor do repeated header names', async () => {
    const headerTopic = uniqueTopic();
    const headerDeadLetters = `${headerTopic}.dlq`;
    topics.push(headerTopic, headerDeadLetters);
    await createTopics([headerTopic, headerDeadLetters], 1);
    const headers = { note: 'ë', tag: ['x', 'y'] };
    await producer.send(headerTopic, [
      { key: 'station-01', value: JSON.stringify(reading('station-01', 0, T0)), headers },
      { key: 'station-01', value: '{oops', headers },
      { key: 'station-01', value: JSON.stringify(reading('station-01', 1, T0 + HOUR)), headers },
    ]);
    const failures: string[] = [];
    const worker = sinkWorker({
      topic: headerTopic,
      consumerGroupId: `sink-test-${randomUUID().slice(0, 8)}`,
      batchSize: 10,
      ports: { store, deadLetters: producer, deadLetterTopic: headerDeadLetters, now: () => performance.now() },
      onInvocation: (summary) => {
        if (summary.outcome === 'error') failures.push(summary.detail ?? '');
      },
    });
    await worker.start();
    try {
      await caughtUp(store, headerTopic);
    } finally {
      await worker.stop();
    }
    assert.deepEqual(failures, []);
    await assertEveryReadingOnce(store, headerTopic, 2);
    const [dead] = await allMessages(headerDeadLetters);
    const tags = dead?.message.headers?.tag;
    assert.deepEqual(
      [
        dead?.message.value?.toString(),
        dead?.message.headers?.note?.toString(),
        Array.isArray(tags) && tags.map(String),
      ],
      ['{oops', 'ë', ['x', 'y']],
    );
  });
});
