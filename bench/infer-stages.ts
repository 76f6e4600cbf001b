/**
 * Where one infer batch's CPU time goes, stage by stage, in process (no broker, no bucket writes): a batch of hourly
 * readings from `stations` stations, as the event source mapping delivers them, through decode + feature windows,
 * the feature block, ONNX, predictions, their Parquet file and their JSON messages, and the drift report.
 * The model is `train`'s default (whole dataset), trained into a scratch prefix of the bucket.
 *   npx tsx bench/infer-stages.ts [records = 1000] [stations = 10] [repeats = 20]
 *     → prints µs per record per stage (median of the repeats) and writes bench/results/infer-stages.json
 */
import { randomUUID } from 'node:crypto';
import { HOUR_MS, preprocess, timestamps } from '@air-quality/preprocessing';
import { driftReport } from '../functions/infer/drift';
import { advanceWindows, featureBlock } from '../functions/infer/features';
import { ModelCache } from '../functions/infer/model-cache';
import { predictionsParquet, toMessages, toPredictions } from '../functions/infer/predictions';
import type { PartitionWindows } from '../functions/infer/window-store';
import { datasetRows } from '../functions/simulate/messages';
import { trainRequestSchema } from '../functions/train/request';
import { runTraining } from '../functions/train/run';
import { loadConfig } from '../shared/config';
import { readReading } from '../shared/kafka-reading';
import { PREPARED_OPTIONS } from '../shared/dataset';
import { ModelRegistry } from '../shared/models/registry';
import { S3ObjectStore } from '../shared/object-store';
import { datasetPath, readDatasetText } from '../tests/support/dataset';
import { saveResult } from './support/results';
import { median } from './support/stats';

const [records = 1000, stations = 10, repeats = 20] = process.argv.slice(2).map(Number);
const root = `bench/infer-stages-${randomUUID()}/`;
Object.assign(process.env, {
  AIR_QUALITY_DATASET: process.env.AIR_QUALITY_DATASET || datasetPath(),
  MODEL_REGISTRY_PREFIX: `${root}models/`,
});
const config = loadConfig();
const store = new S3ObjectStore(config.s3);

async function main(): Promise<void> {
  const registry = new ModelRegistry(store);
  await runTraining(trainRequestSchema.parse({}), { store, registry, readingsTopic: 'bench', now: () => new Date() });
  const loaded = await new ModelCache(registry, 'co_gt', 1).get();
  await store.delete(await store.list(root));
  const { forecaster } = loaded!;
  const { manifest } = forecaster;

  const { table } = preprocess(readDatasetText(), PREPARED_OPTIONS);
  const rows = datasetRows(table);
  const anchor = timestamps(table)[0];
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  // Two batches per repeat: the first warms the stations' windows, the second is timed (stored windows, as in a stream).
  const batch = (first: number) =>
    Array.from({ length: records }, (_, i) => {
      const at = first + i;
      const reading = rows.reading({
        stationId: `station-${(at % stations) + 1}`,
        sequence: Math.floor(at / stations),
        rowIndex: (Math.floor(at / stations) + (at % stations) * 900) % rows.length,
        observedAtMs: anchor + Math.floor(at / stations) * HOUR_MS,
      });
      return {
        topic: 'bench',
        partition: 0,
        offset: at,
        timestamp: Date.now(),
        timestampType: 'CREATE_TIME',
        key: b64(reading.stationId),
        value: b64(JSON.stringify(reading)),
        headers: [],
      };
    });
  const fresh: PartitionWindows = { version: 1, nextOffset: 0, specKey: '', windows: {} };
  const warmed = JSON.parse(JSON.stringify(advanceWindows(fresh, batch(0), manifest.featureSpec).next));
  const timed = batch(records);

  const samples: Record<string, number[]> = {};
  const time = async <T>(stage: string, work: () => T | Promise<T>): Promise<T> => {
    const started = performance.now();
    const out = await work();
    samples[stage] = [...(samples[stage] ?? []), ((performance.now() - started) * 1000) / records];
    return out;
  };
  for (let r = 0; r < repeats; r++) {
    const state = JSON.parse(JSON.stringify(warmed)) as PartitionWindows;
    await time('of which decode (shared/kafka-reading)', () => timed.map(readReading));
    const advanced = await time('decode + feature windows', () => advanceWindows(state, timed, manifest.featureSpec));
    const block = await time('feature block', () => featureBlock(advanced.inputs, forecaster.featureCount));
    const { levels } = await time('ONNX (one run for the batch)', () => forecaster.forecast(block));
    const predictions = await time('predictions', () => toPredictions(advanced.inputs, levels, manifest));
    await time('predictions Parquet', () => predictionsParquet(predictions));
    await time('prediction messages (JSON)', () => toMessages(predictions));
    await time('drift report', () => driftReport([block], manifest.features, 3));
    await time('window state JSON', () => JSON.stringify(advanced.next));
  }
  const stages = Object.fromEntries(
    Object.entries(samples).map(([stage, us]) => [stage, Number(median(us.slice(1)).toFixed(2))]),
  );
  const total = Object.entries(stages)
    .filter(([stage]) => !stage.startsWith('of which'))
    .reduce((sum, [, us]) => sum + us, 0);
  console.table(Object.entries(stages).map(([stage, us]) => ({ stage, 'µs/record': us })));
  console.log(`total ${total.toFixed(1)} µs/record → ${Math.round(1e6 / total)} records/s of CPU on one core`);
  saveResult('infer-stages', {
    what: 'CPU µs per record of one infer batch, by stage, in process (median of the repeats after the first)',
    records,
    stations,
    repeats,
    features: manifest.features.length,
    stages,
    totalMicrosecondsPerRecord: Number(total.toFixed(2)),
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
