import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { COLUMN_IDS } from '@air-quality/preprocessing';
import { tableFromIPC, Type } from '@uwdata/flechette';
import { readParquet } from 'parquet-wasm';
import { duplicateReadings } from '../../support/lake';
import { listLakeFiles, parseDataFileKey, readLake, readWatermark, topicPrefix } from '../../../shared/lake';
import { S3ObjectStore, type ObjectStore } from '../../../shared/object-store';
import { fromParquet } from '../../../shared/parquet';
import { KafkaMessageProducer } from '../../../shared/producer';
import { sinkPartition } from '../../../functions/sink/sink';
import { HOUR, reading, T0 } from '../../support/kafka-records';
import {
  assertEveryReadingOnce,
  config,
  context,
  createTopics,
  deleteTopics,
  allMessages,
  advancesWatermark,
  deliveredRecords,
  kafkaEvent,
  uniqueTopic,
} from './support';
import { storeWithHooks } from '../../support/object-store';

// The handler reads its dead-letter topic from the environment when it loads: one per test file.
const deadLetterTopic = `${uniqueTopic()}.dlq`;
process.env.KAFKA_TOPIC_DLQ = deadLetterTopic;
process.env.POWERTOOLS_METRICS_NAMESPACE ??= 'AirQualityPipelineTests';
const store = new S3ObjectStore(config.s3);
const producer = new KafkaMessageProducer(config.kafka, 'sink-test');
const stations = ['station-01', 'station-02', 'station-03'];
const topics: string[] = [deadLetterTopic];
const range = { from: T0 - 24 * HOUR, to: T0 + 30 * 24 * HOUR };

async function newTopic(): Promise<string> {
  const topic = uniqueTopic();
  topics.push(topic);
  await createTopics([topic]);
  return topic;
}

const readingMessages = (sequences: number[], observedAt: (sequence: number) => number) =>
  sequences.flatMap((sequence) =>
    stations.map((stationId) => ({
      key: stationId,
      value: JSON.stringify(reading(stationId, sequence, observedAt(sequence))),
    })),
  );

const handler = async () => (await import('../../../functions/sink/handler')).handler;

describe('sink against the real broker and MinIO', () => {
  before(() => createTopics([deadLetterTopic]));
  after(async () => {
    await producer.disconnect();
    await deleteTopics(topics);
    await store.delete((await Promise.all(topics.map((t) => store.list(topicPrefix(t))))).flat());
  });

  it('writes a real batch as typed Parquet files by event hour; a poison record goes to the DLQ, its neighbours to the lake', async () => {
    const topic = await newTopic();
    const hourly = (sequence: number) => T0 + sequence * HOUR; // 30 hours: crosses midnight
    await producer.send(topic, readingMessages([...Array(15).keys()], hourly));
    const impossible = reading('station-02', 1000, T0);
    await producer.send(topic, [
      { key: 'station-01', value: '{"stationId": "station-01", "seq' },
      { key: 'station-02', value: JSON.stringify({ ...impossible, readings: { ...impossible.readings, rh: 140 } }) },
    ]);
    await producer.send(
      topic,
      readingMessages(
        [...Array(15).keys()].map((i) => i + 15),
        hourly,
      ),
    );

    const delivered = await deliveredRecords(topic);
    const all = [...delivered.values()].flat();
    const result = await (await handler())(kafkaEvent(all), context);
    const totals = (field: 'written' | 'rejected' | 'redelivered' | 'files') =>
      result.partitions.reduce((n, p) => n + p[field], 0);
    assert.deepEqual([totals('written'), totals('rejected'), totals('redelivered')], [90, 2, 0]);

    const lake = await readLake(store, topic, range);
    assert.equal(lake.numRows(), 90);
    assert.deepEqual(duplicateReadings(lake), []);
    // A range reads the readings observed in it, by event time.
    const window = await readLake(store, topic, { from: T0 + 5 * HOUR, to: T0 + 10 * HOUR });
    assert.deepEqual(
      [...new Set(window.array('sequence') as number[])].sort((a, b) => a - b),
      [5, 6, 7, 8, 9],
    );
    assert.equal(window.numRows(), 15);
    const keys = (await listLakeFiles(store, topic, range)).map((f) => f.key);
    assert.equal(keys.length, totals('files'));
    for (const [partition, records] of delivered) {
      assert.equal((await readWatermark(store, topic, partition)).nextOffset, records.at(-1)!.offset + 1);
    }
    // Every file holds one event day of one partition, with the partition and offsets of its rows.
    for (const key of keys) {
      const file = parseDataFileKey(key)!;
      assert.equal(file.kind, 'small', key);
      if (file.kind !== 'small') continue;
      const rows = fromParquet((await store.get(key))!.body).objects() as {
        observedAt: Date;
        partition: number;
        offset: number;
      }[];
      assert.ok(
        rows.every(
          (r) =>
            r.partition === file.partition &&
            +r.observedAt >= Date.parse(file.day) &&
            +r.observedAt < Date.parse(file.day) + 24 * HOUR,
        ),
        key,
      );
      assert.equal(Math.min(...rows.map((r) => r.offset)), file.startOffset, key);
    }
    const fields = Object.fromEntries(
      tableFromIPC(readParquet((await store.get(keys[0]))!.body).intoIPCStream()).schema.fields.map((f) => [
        f.name,
        f.type.typeId,
      ]),
    );
    assert.deepEqual(
      [fields.observedAt, fields.sourceTime, fields.partition, fields.offset, fields.co_gt],
      [Type.Timestamp, Type.Timestamp, Type.Int, Type.Int, Type.Float],
    );
    assert.deepEqual(
      Object.keys(fields).filter((f) => (COLUMN_IDS as readonly string[]).includes(f)),
      [...COLUMN_IDS],
    );

    const dead = await allMessages(deadLetterTopic);
    assert.equal(dead.length, 2);
    const header = (m: (typeof dead)[number], name: string) => m.message.headers![name]!.toString();
    assert.deepEqual(dead.map((m) => header(m, 'x-sink-rejection')).sort(), ['impossible', 'json']);
    for (const m of dead) {
      const partition = Number(header(m, 'x-sink-source-partition'));
      const offset = Number(header(m, 'x-sink-source-offset'));
      const source = delivered.get(partition)!.find((r) => r.offset === offset)!;
      assert.equal(Buffer.from(source.value!, 'base64').toString(), m.message.value!.toString());
      if (header(m, 'x-sink-rejection') === 'impossible')
        assert.match(header(m, 'x-sink-reason'), /readings\.rh = 140 is above the physical maximum 100 %/);
    }
    // The poison records did not hold up their partitions: everything else delivered is in the lake.
    const rejected = new Set(
      dead.map((m) => `${header(m, 'x-sink-source-partition')}@${header(m, 'x-sink-source-offset')}`),
    );
    const expected = [...delivered.values()]
      .flat()
      .map((r) => `${r.partition}@${r.offset}`)
      .filter((id) => !rejected.has(id));
    assert.deepEqual(
      (lake.objects() as { partition: number; offset: number }[]).map((r) => `${r.partition}@${r.offset}`).sort(),
      expected.sort(),
    );

    // The same batch delivered again adds nothing: not a row, not a file, not a dead letter.
    const again = await (await handler())(kafkaEvent(all), context);
    assert.deepEqual(
      again.partitions.flatMap((p) => [p.written, p.rejected, p.files]).filter((n) => n !== 0),
      [],
    );
    assert.equal(
      again.partitions.reduce((n, p) => n + p.redelivered, 0),
      92,
    );
    assert.deepEqual(
      (await listLakeFiles(store, topic, range)).map((f) => f.key),
      keys,
    );
    assert.equal((await allMessages(deadLetterTopic)).length, 2);
  });

  it('after a crash between the files and the watermark, redeliveries with other batch boundaries leave every reading exactly once', async () => {
    const topic = await newTopic();
    // Event hours that jump back and forth, so the hour buckets of one batch interleave.
    await producer.send(
      topic,
      readingMessages([...Array(40).keys()], (sequence) => T0 + ((sequence * 7) % 13) * HOUR),
    );
    const delivered = await deliveredRecords(topic);
    assert.equal([...delivered.values()].flat().length, 120);

    // The real store, except that moving a watermark past a batch fails: the files are durable, the watermark is not.
    const crashing = storeWithHooks(store, {
      beforePut: async (key, body) => {
        if (await advancesWatermark(store, key, body)) throw new Error('injected crash before the watermark');
      },
    });
    const ports = { store: crashing, deadLetters: producer, deadLetterTopic, now: () => performance.now() };
    const sink = await handler();
    for (const records of delivered.values()) {
      await assert.rejects(sinkPartition(records, ports), /injected crash/);
      // The files of the failed attempt are there, but not committed: readers do not see them.
      const partition = records[0].partition;
      assert.ok((await store.list(topicPrefix(topic))).some((key) => parseDataFileKey(key)?.partition === partition));
      assert.ok((await listLakeFiles(store, topic, range)).every((f) => f.partition !== partition));
      assert.equal((await readLake(store, topic, range)).filter(`d => d.partition === ${partition}`).numRows(), 0);
      // A deterministic schedule of redeliveries: each starts a few records before the watermark (a
      // redelivered prefix), batch sizes vary, and every third one crashes again after its files.
      const sizes = [5, 1, 11, 3, 8, 2, 13];
      let round = 0;
      for (let next = 0; next < records.length; round++) {
        const start = Math.max(0, next - (round % 4));
        const batch = records.slice(start, start + sizes[round % sizes.length]);
        if (round % 3 === 2) {
          await assert.rejects(sinkPartition(records.slice(start, start + 17), ports), /injected crash/);
        }
        await sink(kafkaEvent(batch), context);
        next = records.findIndex((r) => r.offset === batch.at(-1)!.offset) + 1;
      }
      assert.equal((await readWatermark(store, topic, records[0].partition)).nextOffset, records.at(-1)!.offset + 1);
    }

    await assertEveryReadingOnce(store, topic, 120);
    const lake = await readLake(store, topic, range);
    const seen = new Set(
      (lake.objects() as { stationId: string; sequence: number }[]).map((r) => `${r.stationId}#${r.sequence}`),
    );
    assert.deepEqual(seen, new Set(stations.flatMap((s) => [...Array(40).keys()].map((q) => `${s}#${q}`))));
  });

  it('files of a failed attempt whose offsets the mapping then skips (sent to its on-failure topic) are deleted, not committed', async () => {
    const topic = await newTopic();
    await producer.send(
      topic,
      readingMessages([...Array(30).keys()], (sequence) => T0 + ((sequence * 7) % 13) * HOUR),
    );
    const records = [...(await deliveredRecords(topic)).values()].sort((a, b) => b.length - a.length)[0];
    const partition = records[0].partition;
    const ports = (target: ObjectStore) => ({
      store: target,
      deadLetters: producer,
      deadLetterTopic,
      now: () => performance.now(),
    });
    await sinkPartition(records.slice(0, 5), ports(store));
    const failing = storeWithHooks(store, {
      beforePut: async (key, body) => {
        if (await advancesWatermark(store, key, body)) throw new Error('injected failure before the watermark');
      },
    });
    // The batch after the first fails for good: the mapping gives up on it and delivers what follows.
    await assert.rejects(sinkPartition(records.slice(5, 20), ports(failing)), /injected failure/);
    const result = await sinkPartition(records.slice(20), ports(store));
    assert.ok(result.orphansDeleted > 0, 'the failed attempt left files to delete');
    const lake = await readLake(store, topic, range);
    const kept = [...records.slice(0, 5), ...records.slice(20)].map((r) => r.offset);
    assert.deepEqual(
      (lake.objects() as { offset: number }[]).map((r) => r.offset).sort((a, b) => a - b),
      kept,
    );
    assert.equal((await readWatermark(store, topic, partition)).pending.length, 0);
    // Nothing of the failed attempt is left in any file either.
    const files = await listLakeFiles(store, topic, range);
    const rows = (
      await Promise.all(files.map(async ({ key }) => fromParquet((await store.get(key))!.body).numRows()))
    ).reduce((a, b) => a + b, 0);
    assert.equal(rows, kept.length);
  });
});
