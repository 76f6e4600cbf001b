import { randomUUID } from 'node:crypto';
import {
  CLIPPED,
  IMPUTED,
  flagLists,
  isColumnId,
  measureColumns,
  numbers,
  timestamps,
  toIso,
  type ColumnId,
  type ColumnTable,
} from '@air-quality/preprocessing';
import { READING_SCHEMA_VERSION, type Reading } from '../../shared/schemas/reading';
import type { Emission } from './plan';

/** Row-wise access to a prepared dataset table, read once per container. */
export interface DatasetRows {
  readonly length: number;
  reading(emission: Emission): Reading;
}

/** What a reading of a dataset row holds whatever station emits it and when, built once per row and shared. */
type RowPart = Pick<Reading, 'sourceTime' | 'readings' | 'quality'>;

/** Each shared row part (by its readings object) with its JSON, `"sourceTime":…,"readings":…,"quality":…}`. */
const rowPartJson = new WeakMap<Reading['readings'], { part: RowPart; json: string }>();

function sharedRowPart(part: RowPart): RowPart {
  Object.freeze(part);
  rowPartJson.set(part.readings, { part, json: JSON.stringify(part).slice(1) });
  return part;
}

/**
 * JSON.stringify(reading), for a reading of `datasetRows` from its row part serialized once: a run sends each row
 * many times, and serializing the readings and flags again each time was a large share of producing.
 */
export function readingJson(reading: Reading): string {
  const { schemaVersion, eventId, stationId, sequence, observedAt, sourceTime, readings, quality } = reading;
  const shared = rowPartJson.get(readings);
  if (!shared || shared.part.sourceTime !== sourceTime || shared.part.quality !== quality)
    return JSON.stringify(reading);
  return `${JSON.stringify({ schemaVersion, eventId, stationId, sequence, observedAt }).slice(0, -1)},${shared.json}`;
}

export function datasetRows(table: ColumnTable, newId: () => string = randomUUID): DatasetRows {
  const measures = measureColumns(table).filter(isColumnId);
  const values = Object.fromEntries(measures.map((id) => [id, numbers(table, id)])) as Record<
    ColumnId,
    (number | null)[]
  >;
  const sourceTimes = timestamps(table, 'simulate');
  const imputed = flagLists(table, IMPUTED);
  const clipped = flagLists(table, CLIPPED);
  // A run emits each row many times (every station, every pass): its part of the reading is built on first use.
  const rowParts: (RowPart | undefined)[] = new Array(table.numRows());
  const rowPart = (rowIndex: number): RowPart =>
    (rowParts[rowIndex] ??= sharedRowPart({
      sourceTime: toIso(sourceTimes[rowIndex]),
      readings: Object.freeze(Object.fromEntries(measures.map((id) => [id, values[id][rowIndex]]))),
      quality: Object.freeze({
        imputed: Object.freeze(imputed[rowIndex].filter(isColumnId)) as ColumnId[],
        clipped: Object.freeze(clipped[rowIndex].filter(isColumnId)) as ColumnId[],
      }),
    }));
  let lastObserved = { ms: Number.NaN, iso: '' };
  const observedIso = (ms: number) => {
    if (lastObserved.ms !== ms) lastObserved = { ms, iso: toIso(ms) };
    return lastObserved.iso;
  };
  return {
    length: table.numRows(),
    reading: ({ stationId, sequence, rowIndex, observedAtMs }) => {
      const { sourceTime, readings, quality } = rowPart(rowIndex);
      return {
        schemaVersion: READING_SCHEMA_VERSION,
        eventId: newId(),
        stationId,
        sequence,
        observedAt: observedIso(observedAtMs),
        sourceTime,
        readings,
        quality,
      };
    },
  };
}
