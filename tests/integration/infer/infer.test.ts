import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { HOUR_MS, preprocess, timestamps } from '@air-quality/preprocessing';
import type { Context } from 'aws-lambda';
import type { Kafka } from 'kafkajs';
import { inferBatch, readiness, type BatchSummary, type Readiness } from '../../../functions/infer/infer';
import { ModelCache } from '../../../functions/infer/model-cache';
import { inferEventSchema } from '../../../functions/infer/request';
import type { KafkaEvent } from '../../../shared/kafka-event';
import { ConcurrentInferenceError, WindowStore } from '../../../functions/infer/window-store';
import { datasetRows } from '../../../functions/simulate/messages';
import { trainRequestSchema } from '../../../functions/train/request';
import { runTraining } from '../../../functions/train/run';
import { loadConfig } from '../../../shared/config';
import { PREPARED_OPTIONS } from '../../../shared/dataset';
import { createKafka } from '../../../shared/kafka';
import { ModelRegistry } from '../../../shared/models/registry';
import { S3ObjectStore, type ObjectStore } from '../../../shared/object-store';
import { KafkaMessageProducer } from '../../../shared/producer';
import { fromParquet } from '../../../shared/parquet';
import type { Reading } from '../../../shared/schemas/reading';
import { datasetPath, readDatasetText } from '../../support/dataset';
import { createTopics, deleteTopics, endOffsets, messagesBetween } from '../../support/kafka';
import { raceOnePartition } from '../../support/object-store';

// Everything this test writes lives under its own prefixes and topics.
const run = randomUUID();
const root = `tests/infer-${run}/`;
process.env.AIR_QUALITY_DATASET ??= datasetPath();
process.env.MODEL_REGISTRY_PREFIX = `${root}models/`;
process.env.INFER_STATE_PREFIX = `${root}state/`;
process.env.PREDICTIONS_PREFIX = `${root}predictions/`;
process.env.KAFKA_TOPIC_PREDICTIONS = `test-predictions-${run}`;
const config = loadConfig();
const store = new S3ObjectStore(config.s3);
const registry = new ModelRegistry(store);
const predictionsTopic = config.topics.predictions;
const context = {
  awsRequestId: 'test',
  functionName: 'infer',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;
const readingsTopic = `test-readings-${run}`;

const train = async (now: string, trees: number) => {
  const result = await runTraining(
    trainRequestSchema.parse({ source: 'reference', lastHours: 2000, models: ['gbt'], gbt: { trees } }),
    { store, registry, readingsTopic: config.topics.readings, now: () => new Date(now) },
  );
  if (result.outcome === 'skipped') throw new Error(result.reason);
  return result;
};

/** The prepared dataset's rows [start, end) as simulate sends them, for two stations, hourly from an anchor. */
function readings(start: number, end: number): Reading[] {
  const { table } = preprocess(readDatasetText(), PREPARED_OPTIONS);
  const rows = datasetRows(table);
  const anchor = timestamps(table)[0];
  return Array.from({ length: end - start }, (_, i) => start + i).flatMap((position) =>
    ['station-01', 'station-02'].map((stationId, s) =>
      rows.reading({
        stationId,
        sequence: position,
        rowIndex: position + 500 * s,
        observedAtMs: anchor + position * HOUR_MS,
      }),
    ),
  );
}

/** A Lambda Kafka event as the event source mapping delivers it: one partition, base64 keys and values. */
function kafkaEvent(batch: Reading[], firstOffset: number, partition = 0) {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  return {
    eventSource: 'SelfManagedKafka',
    bootstrapServers: config.kafka.brokers.join(','),
    records: {
      [`${readingsTopic}-${partition}`]: batch.map((r, i) => ({
        topic: readingsTopic,
        partition,
        offset: firstOffset + i,
        timestamp: Date.now(),
        timestampType: 'CREATE_TIME',
        key: b64(r.stationId),
        value: b64(JSON.stringify(r)),
        headers: [],
      })),
    },
  };
}

let handler: (event: unknown, context: Context) => Promise<unknown>;
let close: () => Promise<void>;
let kafka: Kafka;

before(async () => {
  kafka = await createKafka(config.kafka, 'infer-test');
  await createTopics(kafka, [predictionsTopic]);
  ({ handler, close } = await import('../../../functions/infer/handler'));
});

after(async () => {
  await close();
  await store.delete(await store.list(root));
  await deleteTopics(kafka, [predictionsTopic]);
});

describe('infer against the real broker and MinIO', () => {
  it('dry run reports not ready before any model is promoted, then ready with the validated model', async () => {
    const none = (await handler({ dryRun: true }, context)) as Readiness;
    assert.equal(none.ready, false);
    assert.match(none.problem!, /no promoted model for co_gt h1; invoke train first/);
    const trained = await train('2026-11-24T10:00:00Z', 30);
    assert.ok(trained.promoted, trained.decision);
    const ready = (await handler({ dryRun: true }, context)) as Readiness;
    assert.deepEqual(
      { ...ready, sampleMaxAbsDifference: undefined },
      {
        ready: true,
        target: 'co_gt',
        horizon: 1,
        modelVersion: trained.version,
        features: 199,
        sampleMaxAbsDifference: undefined,
      },
    );
    assert.ok(ready.sampleMaxAbsDifference! <= 1e-5);
  });

  it('scores every reading to the topic and the lake once, and a redelivered batch changes nothing', async () => {
    const sent = readings(0, 30);
    const event = kafkaEvent(sent, 0);
    const before = await endOffsets(kafka, predictionsTopic);
    const summary = (await handler(event, context)) as BatchSummary;
    assert.equal(summary.scored, 60);
    assert.deepEqual(summary.skipped, []);
    assert.ok(summary.drift && summary.drift.checked > 100);
    const afterFirst = await endOffsets(kafka, predictionsTopic);
    const messages = (await messagesBetween(kafka, predictionsTopic, before, afterFirst)).map((m) => ({
      key: m.message.key!.toString(),
      value: JSON.parse(m.message.value!.toString()),
    }));
    assert.equal(messages.length, 60);
    assert.deepEqual(new Set(messages.map((m) => m.value.readingEventId)), new Set(sent.map((r) => r.eventId)));
    for (const { key, value } of messages) {
      assert.equal(key, value.stationId);
      assert.equal(Date.parse(value.forecastFor) - Date.parse(value.observedAt), HOUR_MS);
      assert.ok(Number.isFinite(value.value) && value.value > -1 && value.value < 20, `CO forecast ${value.value}`);
    }
    assert.deepEqual(summary.lakeKeys, [
      `${root}predictions/co_gt/h1/dt=2004-03-10/hour=18/${readingsTopic}+0+0000000000.parquet`,
    ]);
    const lake = fromParquet((await store.get(summary.lakeKeys[0]))!.body);
    assert.equal(lake.numRows(), 60);
    assert.deepEqual(
      Array.from(lake.array('value') as ArrayLike<number>),
      messages.sort((a, b) => a.value.source.offset - b.value.source.offset).map((m) => m.value.value),
    );

    const again = (await handler(event, context)) as BatchSummary;
    assert.equal(again.scored, 0);
    assert.equal(again.alreadyHandled, 60);
    assert.deepEqual(await endOffsets(kafka, predictionsTopic), afterFirst);
  });

  it('scores the partitions of one event on their own windows and files: the same readings give the same forecasts', async () => {
    const sent = readings(0, 12);
    const event = kafkaEvent(sent, 0, 2);
    const summary = (await handler(
      { ...event, records: { ...event.records, ...kafkaEvent(sent, 0, 3).records } },
      context,
    )) as BatchSummary;
    assert.equal(summary.scored, 2 * sent.length);
    assert.deepEqual(summary.lakeKeys, [
      `${root}predictions/co_gt/h1/dt=2004-03-10/hour=18/${readingsTopic}+2+0000000000.parquet`,
      `${root}predictions/co_gt/h1/dt=2004-03-10/hour=18/${readingsTopic}+3+0000000000.parquet`,
    ]);
    const [two, three] = await Promise.all(
      summary.lakeKeys.map(async (key) => fromParquet((await store.get(key))!.body)),
    );
    assert.deepEqual(
      Array.from(two!.array('kafka_partition') as ArrayLike<number>),
      sent.map(() => 2),
    );
    assert.deepEqual(
      Array.from(three!.array('value') as ArrayLike<number>),
      Array.from(two!.array('value') as ArrayLike<number>),
    );
    const again = (await handler(
      { ...event, records: { ...event.records, ...kafkaEvent(sent, 0, 3).records } },
      context,
    )) as BatchSummary;
    assert.equal(again.alreadyHandled, 2 * sent.length);
  });

  it('scores the readings of a batch that also holds a tombstone, a malformed record and a non-ASCII header, skipping the two by position', async () => {
    const event = kafkaEvent(readings(0, 3), 0, 1);
    const key = `${readingsTopic}-1`;
    const [first, ...rest] = event.records[key]!;
    const tombstone = {
      topic: readingsTopic,
      partition: 1,
      offset: 6,
      timestamp: Date.now(),
      timestampType: 'CREATE_TIME',
      key: first!.key,
      headers: [],
    };
    const malformed = { ...tombstone, offset: 7, value: Buffer.from('{oops').toString('base64') };
    const summary = (await handler(
      { ...event, records: { [key]: [{ ...first!, headers: [{ note: [-61, -85] }] }, ...rest, tombstone, malformed] } },
      context,
    )) as BatchSummary;
    assert.equal(summary.scored, 6);
    assert.deepEqual(
      summary.skipped.map((s) => [s.offset, s.reason, s.detail.split(': ')[0]]),
      [
        [6, 'tombstone', `${key}@6`],
        [7, 'malformed', `${key}@7`],
      ],
    );
  });

  it('reloads the model when current.json points at a new version', async () => {
    const retrained = await train('2026-11-24T11:00:00Z', 40);
    assert.ok(retrained.promoted, retrained.decision);
    const next = readings(30, 32);
    // A reading without CO: the change model has no level to add its forecast to.
    next[3] = { ...next[3], readings: { ...next[3].readings, co_gt: null } };
    const summary = (await handler(kafkaEvent(next, 60), context)) as BatchSummary;
    assert.equal(summary.modelVersion, retrained.version);
    assert.equal(summary.reloaded, true);
    assert.equal(summary.scored, 3);
    assert.deepEqual(
      summary.skipped.map((s) => [s.offset, s.reason]),
      [[63, 'unscorable']],
    );
  });

  it('two invocations scoring one partition at once (a rebalance): the predictions lake holds every reading once', async () => {
    // Its own windows and predictions prefix. Each round holds the first invocation before its n-th object request
    // (n = 0, 1, 2, ... round after round) while the second one runs to its end, then lets it go on.
    const prefix = `${root}race/`;
    const windows = new WindowStore(store, `${prefix}state/`);
    const producer = new KafkaMessageProducer(config.kafka, 'infer-test');
    const models = new ModelCache(registry, 'co_gt', 1);
    const depsOn = (objects: ObjectStore) => ({
      models,
      windows: new WindowStore(objects, `${prefix}state/`),
      store: objects,
      producer,
      predictionsTopic,
      predictionsPrefix: `${prefix}predictions/`,
      driftThreshold: 4,
    });
    const sent = readings(100, 160);
    let conflicts = 0;
    try {
      conflicts = await raceOnePartition({
        records: sent.length,
        store,
        invoke: (from, length, objects) =>
          inferBatch(
            inferEventSchema.parse(kafkaEvent(sent.slice(from, from + length), from)) as KafkaEvent,
            depsOn(objects),
          ),
        lostRace: (error) => error instanceof ConcurrentInferenceError,
        // The mapping commits what the successful invocation handled; a failed batch comes again from its start.
        committed: async () =>
          JSON.parse(new TextDecoder().decode((await store.get(windows.key(readingsTopic, 0)))!.body)).nextOffset,
        maxRounds: 80,
      });
    } finally {
      await producer.disconnect();
    }
    console.log(`${conflicts} invocations lost to the other one`);
    assert.ok(conflicts > 0, 'the invocations did collide');
    const files = await Promise.all(
      (await store.list(`${prefix}predictions/`)).map(async (key) => fromParquet((await store.get(key))!.body)),
    );
    const ids = files.flatMap((table) => table.array('reading_event_id') as string[]);
    assert.equal(ids.length, sent.length, 'predictions in the lake');
    assert.deepEqual(new Set(ids), new Set(sent.map((r) => r.eventId)));
  });

  it('reports a promoted model whose bytes no longer match its manifest as not ready', async () => {
    const current = await registry.current('co_gt', 1);
    const at = registry.versionPrefix('co_gt', 1, current!.pointer.version);
    await store.put(`${at}model.onnx`, new Uint8Array([8, 1, 18, 0]));
    const report = await readiness(new ModelCache(registry, 'co_gt', 1));
    assert.equal(report.ready, false);
    assert.match(report.problem!, /model\.onnx does not match the sha256 in its manifest; .* Train again/);
  });

  it('rejects an event that is neither a Kafka batch nor a dry run', async () => {
    await assert.rejects(handler({ dryRun: false }, context), /Invalid payload/);
  });
});
