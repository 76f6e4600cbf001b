/**
 * infer throughput end to end on the real broker and MinIO: a backlog of hourly readings (3 stations
 * replaying the UCI dataset) on a fresh topic, consumed by the Kafka plugin's worker invoking the real
 * handler (window state in MinIO, ONNX scoring, Parquet to the lake, predictions to Kafka), timed
 * until every prediction is on the predictions topic. The model is `train`'s default (whole dataset).
 *   npx tsx bench/infer.ts [stations = 10] [hours = 2000] [batch sizes = 100,500,1000]
 *     → prints the figures and writes bench/results/infer.json
 *   CPU_PROFILE=infer.cpuprofile npx tsx bench/infer.ts 10 2000 1000   → profiles the consuming part only
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { HOUR_MS, preprocess, timestamps } from '@air-quality/preprocessing';
import type { Context } from 'aws-lambda';
import { MappingWorker } from 'serverless-offline-kafka';
import type { Kafka } from 'kafkajs';
import { datasetRows } from '../functions/simulate/messages';
import { trainRequestSchema } from '../functions/train/request';
import { runTraining } from '../functions/train/run';
import { loadConfig } from '../shared/config';
import { PREPARED_OPTIONS } from '../shared/dataset';
import { createKafka } from '../shared/kafka';
import { ModelRegistry } from '../shared/models/registry';
import { S3ObjectStore } from '../shared/object-store';
import { KafkaMessageProducer } from '../shared/producer';
import { datasetPath, readDatasetText } from '../tests/support/dataset';
import { createTopics, deleteTopics, endOffsets } from '../tests/support/kafka';
import { saveResult } from './support/results';
import { percentile } from './support/stats';
import { profiled } from './support/cpu-profile';

const [STATIONS, HOURS] = [Number(process.argv[2] ?? 10), Number(process.argv[3] ?? 2000)];
const BATCH_SIZES = (process.argv[4] ?? '100,500,1000').split(',').map(Number);
const run = randomUUID();
const root = `bench/infer-${run}/`;
// One readings topic per run: window states are kept per topic-partition, so each run starts fresh.
const readingsTopics = BATCH_SIZES.map((size) => `bench-readings-${run}-${size}`);
Object.assign(process.env, {
  AIR_QUALITY_DATASET: process.env.AIR_QUALITY_DATASET || datasetPath(),
  MODEL_REGISTRY_PREFIX: `${root}models/`,
  INFER_STATE_PREFIX: `${root}state/`,
  PREDICTIONS_PREFIX: `${root}predictions/`,
  KAFKA_TOPIC_PREDICTIONS: `bench-predictions-${run}`,
});
const config = loadConfig();
const store = new S3ObjectStore(config.s3);
const context = {
  awsRequestId: 'bench',
  functionName: 'infer',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

const predictionsOnTopic = async (kafka: Kafka): Promise<number> =>
  [...(await endOffsets(kafka, config.topics.predictions)).values()].reduce((n, end) => n + end, 0);

async function main(): Promise<void> {
  const kafka = await createKafka(config.kafka, 'bench-infer');
  await createTopics(kafka, [...readingsTopics, config.topics.predictions]);
  const model = await runTraining(trainRequestSchema.parse({ source: 'reference' }), {
    store,
    registry: new ModelRegistry(store),
    readingsTopic: config.topics.readings,
    now: () => new Date(),
  });
  if (model.outcome === 'skipped') throw new Error(model.reason);

  const { table } = preprocess(readDatasetText(), PREPARED_OPTIONS);
  const rows = datasetRows(table);
  const anchor = timestamps(table)[0];
  const producer = new KafkaMessageProducer(config.kafka, 'bench-infer-producer');
  const readings = Array.from({ length: HOURS }, (_, h) => h).flatMap((h) =>
    Array.from({ length: STATIONS }, (_, s) =>
      rows.reading({
        stationId: `station-${s + 1}`,
        sequence: h,
        rowIndex: (h + s * 3000) % rows.length,
        observedAtMs: anchor + h * HOUR_MS,
      }),
    ),
  );
  for (const topic of readingsTopics) {
    for (let i = 0; i < readings.length; i += 1000)
      await producer.send(
        topic,
        readings.slice(i, i + 1000).map((r) => ({ key: r.stationId, value: JSON.stringify(r) })),
      );
  }
  await producer.disconnect();

  const infer = await import('../functions/infer/handler');
  const runs: Record<string, number>[] = [];
  await profiled(async () => {
    for (const [i, batchSize] of BATCH_SIZES.entries()) {
      const before = await predictionsOnTopic(kafka);
      const durations: number[] = [];
      const worker = new MappingWorker({
        mapping: {
          functionKey: 'infer',
          source: { eventSource: 'SelfManagedKafka' },
          bootstrapServers: config.kafka.brokers,
          topic: readingsTopics[i],
          batchSize,
          maximumBatchingWindowMs: 500,
          startingPosition: { type: 'TRIM_HORIZON' },
          consumerGroupId: `bench-infer-${run}-${batchSize}`,
          filterPatterns: [],
        },
        handler: (event) => infer.handler(event, context),
        onInvocation: (summary) => durations.push(summary.durationMs),
      });
      const started = performance.now();
      const cpuBefore = process.cpuUsage();
      await worker.start();
      while ((await predictionsOnTopic(kafka)) - before < readings.length) await sleep(100);
      const seconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      await worker.stop();
      durations.sort((a, b) => a - b);
      runs.push({
        batchSize,
        records: readings.length,
        seconds: Number(seconds.toFixed(2)),
        recordsPerSecond: Math.round(readings.length / seconds),
        // This process's CPU (emulator + handler, not the broker's or MinIO's): steadier than wall time when shared.
        cpuMicrosecondsPerRecord: Math.round((cpu.user + cpu.system) / readings.length),
        invocations: durations.length,
        invocationP50Ms: Math.round(percentile(durations, 50)),
        invocationP95Ms: Math.round(percentile(durations, 95)),
      });
      console.table(runs);
    }
  });
  await infer.close();
  await store.delete(await store.list(root));
  await deleteTopics(kafka, [...readingsTopics, config.topics.predictions]);
  saveResult('infer', {
    what: 'records/s from a backlog on a 3-partition topic to predictions on the predictions topic (window state in MinIO, ONNX, Parquet to the lake, Kafka)',
    stations: STATIONS,
    model: { version: model.version, features: model.features },
    runs,
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
