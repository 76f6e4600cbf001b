import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Context } from 'aws-lambda';
import type { Kafka } from 'kafkajs';
import { MappingWorker } from 'serverless-offline-kafka';
import type { Prediction } from '../../../functions/infer/predictions';
import type { SimulateResult } from '../../../functions/simulate/simulate';
import type { TrainResult } from '../../../functions/train/run';
import { loadConfig } from '../../../shared/config';
import { createKafka } from '../../../shared/kafka';
import { S3ObjectStore } from '../../../shared/object-store';
import { fromParquet } from '../../../shared/parquet';
import { readingSchema } from '../../../shared/schemas/reading';
import { datasetPath } from '../../support/dataset';
import { createTopics, deleteTopics, endOffsets, messagesBetween, type Offsets } from '../../support/kafka';
import { invocationResult, sls } from '../../../scripts/sls';

/**
 * train (sls invoke local) → simulate in replay mode (sls invoke local) → infer, run by the Kafka
 * plugin's event-source worker in its own consumer group → predictions read back from the topic and the lake.
 */
const run = randomUUID();
const root = `tests/forecast-${run}/`;
const env = {
  AIR_QUALITY_DATASET: process.env.AIR_QUALITY_DATASET || datasetPath(),
  MODEL_REGISTRY_PREFIX: `${root}models/`,
  INFER_STATE_PREFIX: `${root}state/`,
  PREDICTIONS_PREFIX: `${root}predictions/`,
  // Topics of this run's own: a running `sls offline start` consumes the pipeline's.
  KAFKA_TOPIC_READINGS: `test-readings-${run}`,
  KAFKA_TOPIC_DLQ: `test-readings-${run}.dlq`,
  KAFKA_TOPIC_PREDICTIONS: `test-predictions-${run}`,
};
const topics = [env.KAFKA_TOPIC_READINGS, env.KAFKA_TOPIC_DLQ, env.KAFKA_TOPIC_PREDICTIONS];
Object.assign(process.env, env);
const config = loadConfig();
const store = new S3ObjectStore(config.s3);
const context = {
  awsRequestId: 'e2e',
  functionName: 'infer',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

let worker: MappingWorker;
let close: () => Promise<void>;
let kafka: Kafka;

before(async () => {
  kafka = await createKafka(config.kafka, 'forecast-e2e');
  await createTopics(kafka, topics);
});

after(async () => {
  await worker?.stop();
  await close?.();
  await store.delete(await store.list(root));
  await deleteTopics(kafka, topics);
});

describe('forecast end to end', () => {
  it('trains, streams replayed readings, and reads one prediction per reading back from the topic and the lake', async () => {
    const trained = await sls(
      [
        'invoke',
        'local',
        '-f',
        'train',
        '--data',
        JSON.stringify({ source: 'reference', lastHours: 3000, models: ['gbt'], gbt: { trees: 60 } }),
      ],
      env,
    );
    assert.equal(trained.code, 0, trained.stderr + trained.stdout);
    const model = invocationResult<TrainResult>(trained.stdout);
    assert.ok(model.promoted, model.decision);

    const infer = await import('../../../functions/infer/handler');
    close = infer.close;
    worker = new MappingWorker({
      mapping: {
        functionKey: 'infer',
        source: { eventSource: 'SelfManagedKafka' },
        bootstrapServers: config.kafka.brokers,
        topic: config.topics.readings,
        batchSize: 100,
        maximumBatchingWindowMs: 200,
        startingPosition: { type: 'LATEST' },
        consumerGroupId: `forecast-e2e-${run}`,
        filterPatterns: [],
      },
      handler: (event) => infer.handler(event, context),
      onInvocation: () => undefined,
    });
    await worker.start();

    const simulated = await sls(
      [
        'invoke',
        'local',
        '-f',
        'simulate',
        // serverless.yml sets the function's topic; --env overrides it.
        '--env',
        `KAFKA_TOPIC_READINGS=${env.KAFKA_TOPIC_READINGS}`,
        '--data',
        JSON.stringify({ count: 12, mode: 'replay', stations: 2 }),
      ],
      env,
    );
    assert.equal(simulated.code, 0, simulated.stderr + simulated.stdout);
    const result = invocationResult<SimulateResult>(simulated.stdout);
    assert.equal(result.sent, 24);
    // Exactly this run's readings, by the offsets simulate reported.
    const from: Offsets = new Map(result.partitions.map((p) => [p.partition, Number(p.firstOffset)]));
    const to: Offsets = new Map(result.partitions.map((p) => [p.partition, Number(p.lastOffset) + 1]));
    const readings = (await messagesBetween(kafka, config.topics.readings, from, to)).map((m) =>
      readingSchema.parse(JSON.parse(m.message.value!.toString())),
    );
    const expected = new Map(readings.map((r) => [r.eventId, r]));
    assert.equal(expected.size, 24);

    const predictions = await predictionsFor(new Set(expected.keys()));
    for (const p of predictions) {
      const reading = expected.get(p.readingEventId)!;
      assert.equal(p.stationId, reading.stationId);
      assert.equal(p.observedAt, reading.observedAt);
      assert.equal(p.modelVersion, model.version);
      assert.ok(Number.isFinite(p.value));
    }

    const lakeRows = (
      await Promise.all(
        (
          await store.list(env.PREDICTIONS_PREFIX)
        ).map(
          async (key) =>
            fromParquet((await store.get(key))!.body).objects() as { reading_event_id: string; value: number }[],
        ),
      )
    ).flat();
    const lakeValues = new Map(lakeRows.map((row) => [row.reading_event_id, row.value]));
    for (const p of predictions)
      assert.equal(lakeValues.get(p.readingEventId), p.value, `lake row of ${p.readingEventId}`);
  });
});

/** Reads the predictions topic until it holds one prediction for every expected reading. */
async function predictionsFor(eventIds: Set<string>, timeoutMs = 60_000): Promise<Prediction[]> {
  const found = new Map<string, Prediction>();
  const start = new Map([...(await endOffsets(kafka, env.KAFKA_TOPIC_PREDICTIONS))].map(([p]) => [p, 0]));
  const deadline = Date.now() + timeoutMs;
  while (found.size < eventIds.size) {
    if (Date.now() > deadline)
      throw new Error(`only ${found.size}/${eventIds.size} predictions arrived within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const end = await endOffsets(kafka, env.KAFKA_TOPIC_PREDICTIONS);
    for (const m of await messagesBetween(kafka, env.KAFKA_TOPIC_PREDICTIONS, start, end)) {
      const p = JSON.parse(m.message.value!.toString()) as Prediction;
      if (!eventIds.has(p.readingEventId)) continue;
      assert.ok(!found.has(p.readingEventId), `two predictions for reading ${p.readingEventId}`);
      found.set(p.readingEventId, p);
    }
    for (const [p, high] of end) start.set(p, high);
  }
  return [...found.values()];
}
