/** QC summary per column (the prototype's producer wrote it as CSV) and a small CSV writer. */
import { CLIPPED, IMPUTED, isColumnId, columnInfo } from './catalogue';
import { table } from 'arquero';
import { max, mean, min, sampleStandardDeviation } from 'simple-statistics';
import { flagLists, measureColumns, numbers, type ColumnTable } from './table';

export interface QcRow {
  column: string;
  /** Catalogue unit, or '' for a column outside the catalogue. */
  unit: string;
  /** Non-missing values. */
  count: number;
  missing: number;
  /** missing / rows. */
  missingShare: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Sample standard deviation (ddof 1, like pandas); null with fewer than two values. */
  std: number | null;
  /** Rows whose `imputed` list names the column. */
  imputed: number;
  /** Rows whose `clipped` list names the column. */
  clipped: number;
}

/** Per-column QC statistics over the table's current values (so run it on the raw table for raw missing counts). */
export function qcSummary(table: ColumnTable, columns: string[] = measureColumns(table)): QcRow[] {
  const rows = table.numRows();
  const imputedLists = flagLists(table, IMPUTED);
  const clippedLists = flagLists(table, CLIPPED);
  return columns.map((column) => {
    const values = numbers(table, column).filter((v): v is number => v !== null);
    const count = values.length;
    return {
      column,
      unit: isColumnId(column) ? columnInfo(column).unit : '',
      count,
      missing: rows - count,
      missingShare: rows ? (rows - count) / rows : 0,
      min: count ? min(values) : null,
      max: count ? max(values) : null,
      mean: count ? mean(values) : null,
      std: count > 1 ? sampleStandardDeviation(values) : null,
      imputed: imputedLists.reduce((n, l) => n + (l.includes(column) ? 1 : 0), 0),
      clipped: clippedLists.reduce((n, l) => n + (l.includes(column) ? 1 : 0), 0),
    };
  });
}

const QC_COLUMNS = [
  'column',
  'unit',
  'count',
  'missing',
  'missing_share',
  'min',
  'max',
  'mean',
  'std',
  'imputed',
  'clipped',
] as const;

/** The QC summary as CSV, written by arquero (comma-separated, '.' decimals, empty cell for null). */
export function qcSummaryToCsv(rows: QcRow[]): string {
  const records = rows.map(({ missingShare, ...row }) => ({ ...row, missing_share: missingShare }));
  return table(Object.fromEntries(QC_COLUMNS.map((c) => [c, records.map((r) => r[c])]))).toCSV();
}
