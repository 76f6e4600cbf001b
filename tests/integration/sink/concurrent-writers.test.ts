import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { readWatermark, topicPrefix } from '../../../shared/lake';
import { S3ObjectStore } from '../../../shared/object-store';
import { KafkaMessageProducer } from '../../../shared/producer';
import { sinkPartition, WatermarkConflictError } from '../../../functions/sink/sink';
import { HOUR, reading, T0 } from '../../support/kafka-records';
import { assertEveryReadingOnce, config, createTopics, deleteTopics, deliveredRecords, uniqueTopic } from './support';
import { raceOnePartition } from '../../support/object-store';

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
 * writing. Both writers here start at the committed offset with batches of different lengths. Each round holds the
 * first writer before its n-th object request (n = 0, 1, 2, ... round after round) while the second one runs to its
 * end, then lets it go on: the second writer's whole run lands at every point of the first one's protocol in turn.
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
    const ports = { store, deadLetters: producer, deadLetterTopic, now: () => performance.now() };
    let conflicts = 0;
    for (const records of (await deliveredRecords(topic)).values()) {
      conflicts += await raceOnePartition({
        records: records.length,
        store,
        invoke: (from, length, objects) =>
          sinkPartition(records.slice(from, from + length), { ...ports, store: objects }),
        lostRace: (error) => error instanceof WatermarkConflictError,
        // What the mapping commits: the successful invocation's end; a failed batch is delivered again from its start.
        committed: async () => {
          const { nextOffset } = await readWatermark(store, topic, records[0].partition);
          const position = records.findIndex((r) => r.offset >= nextOffset);
          return position === -1 ? records.length : position;
        },
        maxRounds: 60,
      });
    }
    console.log(`${conflicts} writes lost to the other writer`);
    assert.ok(conflicts > 0, 'the writers did collide');
    await assertEveryReadingOnce(store, topic, 180);
  });
});
