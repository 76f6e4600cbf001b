import {
  CLIPPED,
  COLUMN_IDS,
  IMPUTED,
  TIMESTAMP,
  makeTable,
  qcSummary,
  qcSummaryToCsv,
} from '@air-quality/preprocessing';
import type { Reading } from '../../shared/schemas/reading';

/** The prototype producer's QC summary, over the readings actually sent. */
export function readingsQcCsv(readings: Reading[]): string {
  const measures = COLUMN_IDS.filter((id) => readings.some((r) => id in r.readings));
  const table = makeTable({
    [TIMESTAMP]: readings.map((r) => Date.parse(r.observedAt)),
    ...Object.fromEntries(measures.map((id) => [id, readings.map((r) => r.readings[id] ?? null)])),
    [IMPUTED]: readings.map((r) => r.quality.imputed),
    [CLIPPED]: readings.map((r) => r.quality.clipped),
  });
  return qcSummaryToCsv(qcSummary(table, measures));
}
