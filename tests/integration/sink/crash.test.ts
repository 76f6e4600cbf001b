/** A sink process killed mid-batch (SIGKILL, its own child) loses nothing and duplicates nothing in the lake. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readWatermark, topicPrefix } from '../../../shared/lake';
import { S3ObjectStore } from '../../../shared/object-store';
import { KafkaMessageProducer } from '../../../shared/producer';
import { HOUR, reading, T0 } from '../../support/kafka-records';
import {
  assertEveryReadingOnce,
  caughtUp,
  config,
  createTopics,
  deleteTopics,
  sinkWorker,
  uniqueTopic,
} from './support';

const store = new S3ObjectStore(config.s3);
const producer = new KafkaMessageProducer(config.kafka, 'sink-test');
const stations = ['station-01', 'station-02', 'station-03', 'station-04', 'station-05'];
const SEQUENCES = 60;
const topics: string[] = [];

async function crashThenRecover(point: string) {
  const topic = uniqueTopic();
  const deadLetterTopic = `${topic}.dlq`;
  topics.push(topic, deadLetterTopic);
  await createTopics([topic, deadLetterTopic]);
  // Event hours jump back and forth, so each batch writes several interleaved hour files.
  await producer.send(
    topic,
    Array.from({ length: SEQUENCES }, (_, sequence) =>
      stations.map((stationId) => ({
        key: stationId,
        value: JSON.stringify(reading(stationId, sequence, T0 + ((sequence * 5) % 11) * HOUR)),
      })),
    ).flat(),
  );
  const consumerGroupId = `sink-test-${randomUUID().slice(0, 8)}`;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'crashing-sink.ts'), topic, consumerGroupId, deadLetterTopic, point],
    { stdio: 'inherit' },
  );
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  assert.deepEqual(
    exit,
    { code: null, signal: 'SIGKILL' },
    `the sink process should have killed itself at ${point} (its output is above)`,
  );
  const committedBefore = await Promise.all(
    [0, 1, 2].map(async (p) => (await readWatermark(store, topic, p)).nextOffset),
  );

  // The next consumer of the group, with other batch boundaries.
  const worker = sinkWorker({
    topic,
    consumerGroupId,
    batchSize: 23,
    ports: { store, deadLetters: producer, deadLetterTopic, now: () => performance.now() },
  });
  await worker.start();
  try {
    await caughtUp(store, topic);
  } finally {
    await worker.stop();
  }
  return { topic, committedBefore };
}

describe('sink process killed mid-batch', () => {
  after(async () => {
    await producer.disconnect();
    await deleteTopics(topics);
    await store.delete((await Promise.all(topics.map((t) => store.list(topicPrefix(t))))).flat());
  });

  it('killed as the first file of a batch lands (others in flight): the next consumer completes the lake exactly once', async () => {
    // The first file write to complete comes before any watermark write, whatever the batches look like.
    const { topic, committedBefore } = await crashThenRecover('files:1');
    assert.deepEqual(committedBefore, [0, 0, 0], 'nothing was committed before the kill');
    await assertEveryReadingOnce(store, topic, stations.length * SEQUENCES);
  });

  it('killed right before moving a watermark, its files durable: the next consumer completes the lake exactly once', async () => {
    const { topic, committedBefore } = await crashThenRecover('advance:2');
    assert.ok(
      committedBefore.some((w) => w > 0),
      `some batches were committed before the kill (${committedBefore})`,
    );
    await assertEveryReadingOnce(store, topic, stations.length * SEQUENCES);
  });
});
