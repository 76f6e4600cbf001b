import {
  FeatureWindowError,
  createFeatureWindow,
  ownFeatureWindow,
  pushReadingInPlace,
  type FeatureSpec,
  type FeatureWindowState,
} from '@air-quality/preprocessing';
import { recordPosition, type PlacedRecord } from '../../shared/kafka-event';
import { readReading } from '../../shared/kafka-reading';
import type { Reading } from '../../shared/schemas/reading';
import type { PartitionWindows } from './window-store';

/** A reading ready to score: where it came from and its feature row (names in the manifest's order). */
export interface FeatureInput {
  reading: Reading;
  partition: number;
  offset: number;
  features: (number | null)[];
}

/** `tombstone`: a record without a value (a deletion marker, not a reading); `malformed`: not a valid reading. */
export type SkipReason = 'tombstone' | 'malformed' | 'not-hourly' | 'out-of-order' | 'unscorable';

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

/**
 * Pushes one partition's records (offset order) through the stations' feature windows: the same
 * kernel `buildFeatures` folds offline, so online features equal training features for the same
 * history. Records the window cannot take (tombstones, what the sink would reject as no reading, off
 * the hour, not after the station's latest hour) are skipped with a reason instead of failing the batch: a retry
 * would not fix them. A reason starts with the record's `<topic>-<partition>@<offset>`.
 */
export function advanceWindows(
  state: PartitionWindows,
  records: readonly PlacedRecord[],
  spec: FeatureSpec,
): AdvancedWindows {
  const windows = { ...state.windows };
  // Each station's window is copied (and checked) once per batch, then advanced in place reading by reading.
  const owned = new Set<string>();
  const windowOf = (stationId: string): FeatureWindowState => {
    if (!owned.has(stationId)) {
      const stored = windows[stationId];
      windows[stationId] = stored ? ownFeatureWindow(stored) : createFeatureWindow(spec);
      owned.add(stationId);
    }
    return windows[stationId];
  };
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
    const read = readReading(record);
    if (!read.ok) {
      skipped.push({
        partition,
        offset,
        reason: read.kind === 'tombstone' ? 'tombstone' : 'malformed',
        detail: `${recordPosition(record)}: ${read.reason}`,
      });
      continue;
    }
    const { reading } = read;
    try {
      const features = pushReadingInPlace(windowOf(reading.stationId), {
        timestamp: Date.parse(reading.observedAt),
        values: reading.readings,
      });
      inputs.push({ reading, partition, offset, features: features.values });
    } catch (error) {
      // Only the reading's own faults are skipped; a bad stored window or spec (BAD_STATE,
      // BAD_SPEC) would fail every reading, so it fails the batch instead.
      if (!(error instanceof FeatureWindowError)) throw error;
      if (error.code === 'NOT_HOURLY') {
        skipped.push({
          partition,
          offset,
          reason: 'not-hourly',
          detail: `${recordPosition(record)}: observedAt ${reading.observedAt} is not on the hour; the hourly model scores replayed (hourly) readings`,
        });
      } else if (error.code === 'OUT_OF_ORDER') {
        skipped.push({
          partition,
          offset,
          reason: 'out-of-order',
          detail: `${recordPosition(record)}: ${error.message}`,
        });
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
  // Plain loops: two closures per value cost as much as the model run on a 1000-record batch.
  for (let row = 0; row < inputs.length; row++) {
    const { features } = inputs[row];
    for (let col = 0; col < features.length; col++) block[row * width + col] = features[col] ?? NaN;
  }
  return block;
}
