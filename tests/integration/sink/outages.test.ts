/**
 * The real services fail under a running sink (the plugin's MappingWorker, as under `sls offline start`):
 * MinIO is stopped in the middle of the stream and started again later, and the broker restarts under load.
 * Each test ends in a reconciliation: every produced (station, sequence) exactly once in the lake.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { topicPrefix } from '../../../shared/lake';
import { S3ObjectStore } from '../../../shared/object-store';
import { KafkaMessageProducer } from '../../../shared/producer';
import { up } from '../../../stack';
import { kafkaProcess } from '../../../stack/native-kafka';
import { minioProcess } from '../../../stack/native-minio';
import { committedOffsets, type Offsets } from '../../support/kafka';
import { HOUR, reading, T0 } from '../../support/kafka-records';
import {
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

const stations = ['station-01', 'station-02', 'station-03'];
const store = new S3ObjectStore(config.s3);
/** The stack here is the native one; with Docker the services are not ours to stop. */
const skip = !kafkaProcess.pid() || !minioProcess.pid() ? 'needs the native stack started by npm run stack:up' : false;

/** Readings `from`..`to`-1 of every station, one simulated hour apart. */
const readings = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => from + i).flatMap((sequence) =>
    stations.map((stationId) => ({
      key: stationId,
      value: JSON.stringify(reading(stationId, sequence, T0 + sequence * HOUR)),
    })),
  );

/** Offsets committed over all partitions (a partition without a commit counts 0). */
const total = (offsets: Offsets): number => [...offsets.values()].reduce((sum, offset) => sum + Math.max(0, offset), 0);

describe('sink under real outages', { skip }, () => {
  const topics: string[] = [];
  const newTopic = async () => {
    const topic = uniqueTopic();
    topics.push(topic, `${topic}.dlq`);
    await createTopics([topic, `${topic}.dlq`]);
    return topic;
  };
  const producer = new KafkaMessageProducer(config.kafka, 'sink-test');
  before(() => up());
  after(async () => {
    await up();
    await producer.disconnect();
    await deleteTopics(topics);
    for (const topic of topics) await store.delete(await store.list(topicPrefix(topic)));
  });

  it('MinIO stopped during the stream: offsets do not advance while it is down, and the lake is exact once it is back', async () => {
    const topic = await newTopic();
    const groupId = `sink-outage-${randomUUID().slice(0, 8)}`;
    const worker = sinkWorker({
      topic,
      consumerGroupId: groupId,
      batchSize: 50,
      ports: { store, deadLetters: producer, deadLetterTopic: `${topic}.dlq`, now: () => performance.now() },
    });
    await worker.start();
    try {
      await producer.send(topic, readings(0, 100));
      await caughtUp(store, topic);
      // The mapping commits right after the watermark moves: wait for that commit too.
      await eventually(
        'the first offsets to be committed',
        async () => total(await committedOffsets(await kafka, groupId, topic)) === 100 * stations.length,
      );
      const committedBefore = 100 * stations.length;

      await minioProcess.stop();
      try {
        await producer.send(topic, readings(100, 200));
        // Long enough for several retries with backoff against the missing store.
        await sleep(20_000);
        assert.equal(
          total(await committedOffsets(await kafka, groupId, topic)),
          committedBefore,
          'offsets advanced while MinIO was down',
        );
      } finally {
        await up();
      }
      await caughtUp(store, topic);
      await eventually(
        'the last offsets to be committed',
        async () => total(await committedOffsets(await kafka, groupId, topic)) === 200 * stations.length,
      );
    } finally {
      await worker.stop();
    }
    await assertEveryReadingOnce(store, topic, 200 * stations.length);
  });

  it('the broker restarted under load: nothing lost, nothing duplicated', async () => {
    const topic = await newTopic();
    const worker = sinkWorker({
      topic,
      consumerGroupId: `sink-restart-${randomUUID().slice(0, 8)}`,
      batchSize: 40,
      ports: { store, deadLetters: producer, deadLetterTopic: `${topic}.dlq`, now: () => performance.now() },
    });
    await worker.start();
    let sent = 0;
    try {
      const load = (async () => {
        // 60 steps of 5 hours per station, paced, so the restart falls in the middle of the stream.
        for (let step = 0; step < 60; step++) {
          await producer.send(topic, readings(step * 5, step * 5 + 5));
          sent += 5 * stations.length;
          await sleep(150);
        }
      })();
      await eventually('the stream to be under way', async () => sent >= 20 * 5 * stations.length);
      await kafkaProcess.stop();
      await up();
      await load;
      await caughtUp(store, topic);
    } finally {
      await worker.stop();
    }
    assert.equal(sent, 300 * stations.length);
    await assertEveryReadingOnce(store, topic, sent);
  });
});
