/** The sink behind the Kafka event source emulator (the plugin's MappingWorker), as under `sls offline start`. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { MappingWorker } from 'serverless-offline-kafka';
import { sink } from '../../../functions/sink/sink';
import { kafkaEventSchema } from '../../../functions/sink/event';
import { duplicateReadings, readLake, readWatermark, topicPrefix } from '../../../shared/lake';
import { parsePayload } from '../../../shared/middleware';
import { S3ObjectStore, type ObjectStore } from '../../../shared/object-store';
import { KafkaMessageProducer } from '../../../shared/producer';
import { endOffsets } from '../../support/kafka';
import { HOUR, reading, T0 } from '../../unit/sink/records';
import { allMessages, config, createTopics, deleteTopics, kafka, uniqueTopic } from './support';

const topic = uniqueTopic();
const deadLetterTopic = `${topic}.dlq`;
const store = new S3ObjectStore(config.s3);
const producer = new KafkaMessageProducer(kafka, config.kafka.brokers);
const stations = ['station-01', 'station-02', 'station-03', 'station-04'];

/** Polls until `condition` holds; the bound only stops a broken run from hanging. */
async function eventually(what: string, condition: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

describe('sink behind the event source emulator', () => {
  before(() => createTopics([topic, deadLetterTopic]));
  after(async () => {
    await producer.disconnect();
    await deleteTopics([topic, deadLetterTopic]);
    await store.delete(await store.list(topicPrefix(topic)));
  });

  it('an object store outage at the start only delays the lake: every valid reading lands exactly once, the poison record in the DLQ', async () => {
    // Connection refused, as when MinIO is down: the first invocations fail and the emulator retries them.
    const unreachable = new S3ObjectStore({ ...config.s3, endpoint: 'http://127.0.0.1:9' });
    let failuresLeft = 3;
    const failures: string[] = [];
    const worker = new MappingWorker({
      mapping: {
        functionKey: 'sink',
        source: { eventSource: 'SelfManagedKafka' },
        bootstrapServers: config.kafka.brokers,
        topic,
        batchSize: 37,
        maximumBatchingWindowMs: 200,
        startingPosition: { type: 'TRIM_HORIZON' },
        consumerGroupId: `sink-test-${randomUUID().slice(0, 8)}`,
        filterPatterns: [],
      },
      // The sink's own failures are infrastructure failures (it dead-letters bad records itself): retry until they pass.
      retry: { maximumRetryAttempts: -1, initialBackoffMs: 100, maxBackoffMs: 500 },
      onInvocation: (summary) => {
        if (summary.outcome === 'error') failures.push(summary.detail ?? '');
      },
      handler: async (event) => {
        const target: ObjectStore = failuresLeft-- > 0 ? unreachable : store;
        return sink(parsePayload(kafkaEventSchema, event), { store: target, deadLetters: producer, deadLetterTopic, now: () => performance.now() });
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
      const ends = await endOffsets(kafka, topic);
      await eventually('every watermark to reach the end of its partition', async () => {
        const marks = await Promise.all([...ends].map(async ([p, end]) => (await readWatermark(store, topic, p)).nextOffset >= end));
        return marks.every(Boolean);
      });
    } finally {
      await worker.stop();
    }

    assert.ok(failures.length >= 3, `the outage made invocations fail (${failures.length})`);
    assert.ok(failures.every((f) => /Is the object store running\?/.test(f)), failures[0]);
    const lake = await readLake(store, topic, { from: -Infinity, to: Infinity });
    assert.equal(lake.numRows(), 400);
    assert.deepEqual(duplicateReadings(lake), []);
    const dead = await allMessages(deadLetterTopic);
    assert.deepEqual(dead.map((m) => m.message.value!.toString()), ['not json at all']);
  });
});
