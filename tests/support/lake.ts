import type { ColumnTable } from 'arquero';

/** (stationId, sequence) pairs present more than once; empty when the table holds each reading once. */
export function duplicateReadings(table: ColumnTable): { stationId: string; sequence: number; count: number }[] {
  return table
    .groupby('stationId', 'sequence')
    .count()
    .filter((d: { count: number }) => d.count > 1)
    .objects() as { stationId: string; sequence: number; count: number }[];
}
