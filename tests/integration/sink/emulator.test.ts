/** The sink behind the Kafka event source emulator (the plugin's MappingWorker), as under `sls offline start`. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { topicPrefix } from '../../../shared/lake';
import { S3ObjectStore } from '../../../shared/object-store';
import { KafkaMessageProducer } from '../../../shared/producer';
import { HOUR, reading, T0 } from '../../support/kafka-records';
import { allMessages, assertEveryReadingOnce, caughtUp, config, createTopics, deleteTopics, sinkWorker, uniqueTopic } from './support';
import { storeWithHooks } from '../../support/object-store';

const topic = uniqueTopic();
const deadLetterTopic = `${topic}.dlq`;
const store = new S3ObjectStore(config.s3);
const producer = new KafkaMessageProducer(config.kafka, 'sink-test');
const stations = ['station-01', 'station-02', 'station-03', 'station-04'];

describe('sink behind the event source emulator', () => {
  before(() => createTopics([topic, deadLetterTopic]));
  after(async () => {
    await producer.disconnect();
    await deleteTopics([topic, deadLetterTopic]);
    await store.delete(await store.list(topicPrefix(topic)));
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
          sequences.flatMap((sequence) => stations.map((stationId) => ({ key: stationId, value: JSON.stringify(reading(stationId, sequence, T0 + sequence * HOUR)) }))),
        );
        if (step === 1) await producer.send(topic, [{ key: 'station-02', value: 'not json at all' }]);
      }
      await caughtUp(store, topic);
    } finally {
      await worker.stop();
    }

    assert.ok(failures.length >= 1, 'the outage made an invocation fail');
    assert.ok(failures.every((f) => /Is the object store running\?/.test(f)), failures[0]);
    await assertEveryReadingOnce(store, topic, 400);
    const dead = await allMessages(deadLetterTopic);
    assert.deepEqual(dead.map((m) => m.message.value!.toString()), ['not json at all']);
  });
});
