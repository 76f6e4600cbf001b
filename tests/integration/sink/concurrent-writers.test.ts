import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { seededRandom } from '@air-quality/preprocessing';
import { readWatermark, topicPrefix } from '../../../shared/lake';
import { S3ObjectStore } from '../../../shared/object-store';
import { KafkaMessageProducer } from '../../../shared/producer';
import { sinkPartition, WatermarkConflictError } from '../../../functions/sink/sink';
import { HOUR, reading, T0 } from '../../support/kafka-records';
import { assertEveryReadingOnce, config, createTopics, deleteTopics, deliveredRecords, uniqueTopic } from './support';
import { storeWithHooks } from '../../support/object-store';

const store = new S3ObjectStore(config.s3);
const producer = new KafkaMessageProducer(config.kafka, 'sink-test');
const topic = uniqueTopic();
const deadLetterTopic = `${topic}.dlq`;
const stations = ['station-01', 'station-02', 'station-03'];

after(async () => {
  await producer.disconnect();
  await deleteTopics([topic, deadLetterTopic]);
  await store.delete(await store.list(topicPrefix(topic)));
});

/**
 * Lambda can run two invocations on one partition at once: when the mapping's consumer group rebalances while a
 * batch is in flight, the new owner starts again from the last committed offset and the old invocation keeps
 * writing. Both writers here start at the committed offset with batches of different lengths, and every object
 * request waits a random few milliseconds, so their reads and writes interleave differently in each round.
 */
describe('two sink invocations writing one partition at once', () => {
  it('one loses a conditional write and is redelivered; the lake holds every reading exactly once', async () => {
    await createTopics([topic, deadLetterTopic]);
    // Event hours that jump back and forth, so both writers write several files of the same hours.
    await producer.send(
      topic,
      [...Array(60).keys()].flatMap((sequence) =>
        stations.map((stationId) => ({
          key: stationId,
          value: JSON.stringify(reading(stationId, sequence, T0 + ((sequence * 7) % 11) * HOUR)),
        })),
      ),
    );
    const random = seededRandom(7);
    const jittered = storeWithHooks(store, { beforePut: () => sleep(random.int(0, 25)) });
    const ports = { store: jittered, deadLetters: producer, deadLetterTopic, now: () => performance.now() };
    const lengths: [number, number][] = [
      [9, 4],
      [3, 14],
      [12, 12],
      [6, 1],
      [15, 8],
      [2, 10],
      [11, 5],
    ];
    let conflicts = 0;
    for (const records of (await deliveredRecords(topic)).values()) {
      for (let round = 0, committed = 0; committed < records.length; round++) {
        assert.ok(round < 60, 'the partition keeps making progress');
        const [a, b] = lengths[round % lengths.length];
        const writer = async (length: number, delayMs: number) => {
          await sleep(delayMs);
          return sinkPartition(records.slice(committed, committed + length), ports);
        };
        const outcomes = await Promise.allSettled([writer(a, 0), writer(b, random.int(0, 80))]);
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') {
            assert.ok(outcome.reason instanceof WatermarkConflictError, String(outcome.reason));
            conflicts++;
          }
        }
        // What the mapping commits: the successful invocation's end; a failed batch is delivered again from its start.
        const { nextOffset } = await readWatermark(store, topic, records[0].partition);
        const position = records.findIndex((r) => r.offset >= nextOffset);
        committed = position === -1 ? records.length : position;
      }
    }
    assert.ok(conflicts > 0, 'the writers did collide');
    await assertEveryReadingOnce(store, topic, 180);
  });
});
