import { partitionsOf, recordPosition, type KafkaEvent, type PlacedRecord } from '../../shared/kafka-event';
import type { OnnxForecaster } from '../../shared/models/onnx-session';
import { unchangedSince, versionsUnderClaim, type ObjectStore } from '../../shared/object-store';
import type { MessageProducer } from '../../shared/producer';
import { driftReport, type DriftReport } from './drift';
import { advanceWindows, featureBlock, type FeatureInput, type SkippedRecord } from './features';
import type { ModelCache } from './model-cache';
import { predictionsKey, predictionsParquet, toMessages, toPredictions } from './predictions';
import type { WindowStore } from './window-store';

export interface InferDependencies {
  models: ModelCache;
  windows: WindowStore;
  store: ObjectStore;
  producer: MessageProducer;
  predictionsTopic: string;
  /** Lake prefix of the prediction files, e.g. predictions/. */
  predictionsPrefix: string;
  /** |z| above which a feature counts as drifting. */
  driftThreshold: number;
}

export interface BatchSummary {
  records: number;
  scored: number;
  alreadyHandled: number;
  skipped: SkippedRecord[];
  modelVersion?: string;
  /** The model was (re)loaded for this batch: cold start or a new current.json. */
  reloaded: boolean;
  drift?: DriftReport;
  lakeKeys: string[];
  scoreMs: number;
}

/** Like Promise.all, but settles every promise before throwing the first failure: nothing runs on after the invocation. */
async function allDone<T>(promises: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<T>).value);
}

/** What scoring one topic-partition of a batch found; inferBatch adds the partitions up. */
interface PartitionOutcome {
  scored: number;
  alreadyHandled: number;
  skipped: SkippedRecord[];
  lakeKey?: string;
  block?: Float32Array;
  scoreMs: number;
}

/**
 * Scores one Kafka batch: per partition, advance the stations' windows, run the model, write the
 * predictions to the lake and the topic, and only then save the windows (see WindowStore).
 * Partitions are independent (each has its own state, claim and file), so they are scored concurrently.
 * Without a promoted model the batch is consumed unscored: there is nothing to predict with yet.
 */
export async function inferBatch(event: KafkaEvent, deps: InferDependencies): Promise<BatchSummary> {
  const records = Object.values(event.records).reduce((n, r) => n + r.length, 0);
  const summary: BatchSummary = {
    records,
    scored: 0,
    alreadyHandled: 0,
    skipped: [],
    reloaded: false,
    lakeKeys: [],
    scoreMs: 0,
  };
  const loaded = await deps.models.get();
  if (!loaded) return summary;
  const { manifest } = loaded.forecaster;
  summary.modelVersion = manifest.version;
  summary.reloaded = loaded.reloaded;
  const outcomes = await allDone(partitionsOf(event).map((batch) => inferPartition(batch, loaded.forecaster, deps)));
  const blocks: Float32Array[] = [];
  for (const outcome of outcomes) {
    summary.scored += outcome.scored;
    summary.alreadyHandled += outcome.alreadyHandled;
    summary.skipped.push(...outcome.skipped);
    summary.scoreMs += outcome.scoreMs;
    if (outcome.lakeKey) summary.lakeKeys.push(outcome.lakeKey);
    if (outcome.block) blocks.push(outcome.block);
  }
  if (blocks.length) summary.drift = driftReport(blocks, manifest.features, deps.driftThreshold);
  return summary;
}

async function inferPartition(
  batch: PlacedRecord[],
  forecaster: OnnxForecaster,
  deps: InferDependencies,
): Promise<PartitionOutcome> {
  const { manifest } = forecaster;
  const { topic, partition } = batch[0];
  const previous = await deps.windows.read(topic, partition, manifest.featureSpec);
  let current = previous;
  const advanced = advanceWindows(previous.state, batch, manifest.featureSpec);
  const outcome: PartitionOutcome = {
    scored: 0,
    alreadyHandled: advanced.alreadyHandled,
    skipped: advanced.skipped,
    scoreMs: 0,
  };
  if (advanced.inputs.length) {
    const block = featureBlock(advanced.inputs, forecaster.featureCount);
    const started = performance.now();
    const { levels } = await forecaster.forecast(block);
    outcome.scoreMs = performance.now() - started;
    // A change model needs the current level: a reading without it gets no forecast, not a NaN one.
    const scorable: FeatureInput[] = [];
    const scorableLevels: number[] = [];
    advanced.inputs.forEach((input, i) => {
      if (Number.isFinite(levels[i])) {
        scorable.push(input);
        scorableLevels.push(levels[i]);
      } else {
        outcome.skipped.push({
          partition: input.partition,
          offset: input.offset,
          reason: 'unscorable',
          detail: `${recordPosition({ topic, ...input })}: no forecast: the model's ${manifest.output.kind === 'change' ? `base ${manifest.output.base}` : 'output'} is missing for this reading`,
        });
      }
    });
    const predictions = toPredictions(scorable, scorableLevels, manifest);
    if (predictions.length) {
      const key = predictionsKey(deps.predictionsPrefix, manifest, topic, predictions[0]);
      current = await deps.windows.claim(topic, partition, previous);
      const claim = { key: deps.windows.key(topic, partition), etag: current.etag };
      // The topic is at least once (consumers deduplicate on readingEventId), so the send need not wait for the
      // fenced lake file; the state is written only once both are done.
      await allDone<unknown>([
        deps.windows.fenced(topic, partition, async () => {
          // Absent, or a failed attempt's file that this batch rewrites: either way only with this version.
          const version = (await versionsUnderClaim(deps.store, [key], claim)).get(key);
          await deps.store.put(key, predictionsParquet(predictions), {
            contentType: 'application/vnd.apache.parquet',
            ...unchangedSince(version),
          });
        }),
        deps.producer.send(deps.predictionsTopic, toMessages(predictions)),
      ]);
      outcome.lakeKey = key;
      outcome.scored = predictions.length;
    }
    outcome.block = block;
  }
  if (advanced.next.nextOffset !== previous.state.nextOffset)
    await deps.windows.write(topic, partition, current, advanced.next);
  return outcome;
}

export interface Readiness {
  ready: boolean;
  target: string;
  horizon: number;
  modelVersion?: string;
  features?: number;
  sampleMaxAbsDifference?: number;
  problem?: string;
}

/** The dry run: loads and validates the promoted model and its manifest without consuming anything. */
export async function readiness(models: ModelCache): Promise<Readiness> {
  const base = { target: models.target, horizon: models.horizon };
  try {
    const loaded = await models.get();
    if (!loaded)
      return {
        ...base,
        ready: false,
        problem: `no promoted model for ${models.target} h${models.horizon}; invoke train first`,
      };
    const { manifest } = loaded.forecaster;
    return {
      ...base,
      ready: true,
      modelVersion: manifest.version,
      features: manifest.features.length,
      sampleMaxAbsDifference: loaded.sampleMaxAbsDifference,
    };
  } catch (error) {
    return { ...base, ready: false, problem: (error as Error).message };
  }
}
