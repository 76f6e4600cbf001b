import { HOUR_MS, makeTable, toIso } from '@air-quality/preprocessing';
import { TimeUnit, timestamp } from '@uwdata/flechette';
import type { ModelManifest } from '../../shared/models/manifest';
import { kafkaConnectKey } from '../../shared/lake';
import { toParquet } from '../../shared/parquet';
import type { OutgoingMessage } from '../../shared/producer';
import type { FeatureInput } from './features';

/** A forecast on `air_quality_predictions` (key = stationId), tied to the reading it was made from. */
const PREDICTION_SCHEMA_VERSION = 1;

export interface Prediction {
  schemaVersion: typeof PREDICTION_SCHEMA_VERSION;
  /** The eventId of the reading the forecast was made from: consumers deduplicate on it. */
  readingEventId: string;
  stationId: string;
  sequence: number;
  observedAt: string;
  /** observedAt + horizon hours. */
  forecastFor: string;
  target: string;
  horizon: number;
  value: number;
  modelVersion: string;
  /** Inputs of this hour that were imputed upstream (the forecast leans on filled values). */
  imputedInputs: string[];
  source: { partition: number; offset: number };
}

export function toPredictions(
  inputs: readonly FeatureInput[],
  levels: ArrayLike<number>,
  manifest: ModelManifest,
): Prediction[] {
  return inputs.map(({ reading, partition, offset }, i) => ({
    schemaVersion: PREDICTION_SCHEMA_VERSION,
    readingEventId: reading.eventId,
    stationId: reading.stationId,
    sequence: reading.sequence,
    observedAt: reading.observedAt,
    forecastFor: toIso(Date.parse(reading.observedAt) + manifest.horizon * HOUR_MS),
    target: manifest.target,
    horizon: manifest.horizon,
    value: levels[i],
    modelVersion: manifest.version,
    imputedInputs: reading.quality.imputed,
    source: { partition, offset },
  }));
}

export const toMessages = (predictions: readonly Prediction[]): OutgoingMessage[] =>
  predictions.map((p) => ({ key: p.stationId, value: JSON.stringify(p) }));

/**
 * The lake key of one partition's batch, Kafka Connect style like the readings' lake (filed under
 * the UTC hour of the first observedAt, whatever its zone offset) and named by the batch's first
 * offset, so a redelivered batch overwrites its own file:
 *   <prefix><target>/h<H>/dt=YYYY-MM-DD/hour=HH/<topic>+<partition>+<offset, 10 digits>.parquet
 */
export function predictionsKey(prefix: string, manifest: ModelManifest, topic: string, first: Prediction): string {
  return kafkaConnectKey(
    `${prefix}${manifest.target}/h${manifest.horizon}/`,
    topic,
    first.source.partition,
    first.source.offset,
    Date.parse(first.observedAt),
  );
}

export function predictionsParquet(predictions: readonly Prediction[]): Uint8Array {
  const table = makeTable({
    reading_event_id: predictions.map((p) => p.readingEventId),
    station_id: predictions.map((p) => p.stationId),
    sequence: predictions.map((p) => p.sequence),
    observed_at: predictions.map((p) => Date.parse(p.observedAt)),
    forecast_for: predictions.map((p) => Date.parse(p.forecastFor)),
    target: predictions.map((p) => p.target),
    horizon: predictions.map((p) => p.horizon),
    value: predictions.map((p) => p.value),
    model_version: predictions.map((p) => p.modelVersion),
    imputed_inputs: predictions.map((p) => p.imputedInputs.join(',')),
    kafka_partition: predictions.map((p) => p.source.partition),
    kafka_offset: predictions.map((p) => p.source.offset),
  });
  const utc = timestamp(TimeUnit.MILLISECOND, 'UTC');
  return toParquet(table, { observed_at: utc, forecast_for: utc });
}
