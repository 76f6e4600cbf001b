import { FeatureWindowError, createFeatureWindow, pushReading, type FeatureSpec } from '@air-quality/preprocessing';
import { readingSchema, type Reading } from '../../shared/schemas/reading';
import type { KafkaRecord } from './request';
import type { PartitionWindows } from './window-store';

/** A reading ready to score: where it came from and its feature row (names in the manifest's order). */
export interface FeatureInput {
  reading: Reading;
  partition: number;
  offset: number;
  features: (number | null)[];
}

export type SkipReason = 'malformed' | 'not-hourly' | 'out-of-order' | 'unscorable';

export interface SkippedRecord {
  partition: number;
  offset: number;
  reason: SkipReason;
  detail: string;
}

export interface AdvancedWindows {
  inputs: FeatureInput[];
  skipped: SkippedRecord[];
  /** Records below the state's nextOffset: already handled by an earlier delivery. */
  alreadyHandled: number;
  next: PartitionWindows;
}

function decode(record: KafkaRecord): Reading | string {
  let value: unknown;
  try {
    value = JSON.parse(record.value);
  } catch {
    return 'value is not JSON';
  }
  const result = readingSchema.safeParse(value);
  return result.success ? result.data : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
}

/**
 * Pushes one partition's records (offset order) through the stations' feature windows: the same
 * kernel `buildFeatures` folds offline, so online features equal training features for the same
 * history. Records the window cannot take (bad JSON or schema, off the hour, not after the
 * station's latest hour) are skipped with a reason instead of failing the batch: a retry would not fix them.
 */
export function advanceWindows(state: PartitionWindows, records: readonly KafkaRecord[], spec: FeatureSpec): AdvancedWindows {
  const windows = { ...state.windows };
  const inputs: FeatureInput[] = [];
  const skipped: SkippedRecord[] = [];
  let alreadyHandled = 0;
  let nextOffset = state.nextOffset;
  for (const record of records) {
    const { partition, offset } = record;
    if (offset < state.nextOffset) {
      alreadyHandled++;
      continue;
    }
    nextOffset = Math.max(nextOffset, offset + 1);
    const reading = decode(record);
    if (typeof reading === 'string') {
      skipped.push({ partition, offset, reason: 'malformed', detail: reading });
      continue;
    }
    try {
      const pushed = pushReading(windows[reading.stationId] ?? createFeatureWindow(spec), { timestamp: Date.parse(reading.observedAt), values: reading.readings });
      windows[reading.stationId] = pushed.state;
      inputs.push({ reading, partition, offset, features: pushed.features.values });
    } catch (error) {
      // Only the reading's own faults are skipped; a bad stored window or spec (BAD_STATE,
      // BAD_SPEC) would fail every reading, so it fails the batch instead.
      if (!(error instanceof FeatureWindowError)) throw error;
      if (error.code === 'NOT_HOURLY') {
        skipped.push({ partition, offset, reason: 'not-hourly', detail: `observedAt ${reading.observedAt} is not on the hour; the hourly model scores replayed (hourly) readings` });
      } else if (error.code === 'OUT_OF_ORDER') {
        skipped.push({ partition, offset, reason: 'out-of-order', detail: error.message });
      } else {
        throw error;
      }
    }
  }
  return { inputs, skipped, alreadyHandled, next: { ...state, nextOffset, windows } };
}

/** Row-major float32 features with NaN for missing: the model's input layout. */
export function featureBlock(inputs: readonly FeatureInput[], width: number): Float32Array {
  const block = new Float32Array(inputs.length * width);
  inputs.forEach((input, row) => input.features.forEach((v, col) => (block[row * width + col] = v ?? NaN)));
  return block;
}
