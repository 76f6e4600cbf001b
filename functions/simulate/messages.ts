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

export function datasetRows(table: ColumnTable, newId: () => string = randomUUID): DatasetRows {
  const measures = measureColumns(table).filter(isColumnId);
  const values = Object.fromEntries(measures.map((id) => [id, numbers(table, id)])) as Record<
    ColumnId,
    (number | null)[]
  >;
  const sourceTimes = timestamps(table, 'simulate');
  const imputed = flagLists(table, IMPUTED);
  const clipped = flagLists(table, CLIPPED);
  return {
    length: table.numRows(),
    reading: ({ stationId, sequence, rowIndex, observedAtMs }) => ({
      schemaVersion: READING_SCHEMA_VERSION,
      eventId: newId(),
      stationId,
      sequence,
      observedAt: toIso(observedAtMs),
      sourceTime: toIso(sourceTimes[rowIndex]),
      readings: Object.fromEntries(measures.map((id) => [id, values[id][rowIndex]])),
      quality: { imputed: imputed[rowIndex].filter(isColumnId), clipped: clipped[rowIndex].filter(isColumnId) },
    }),
  };
}
