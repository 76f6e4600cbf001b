/**
 * The preprocessing pipeline: parse (if given text/bytes) → hourly regularisation → missing
 * report → drop sparse columns → clip to physical ranges → impute. Scaling is deliberately not
 * part of it: normalisation is a fitted, downstream transform (see scaling.ts).
 */
import { CLIPPED, IMPUTED, TIMESTAMP } from './catalogue';
import {
  clipToRanges,
  countAllMissingRows,
  dropSparseColumns,
  impute,
  missingReport,
  regularizeHourly,
  type ClipCount,
  type ClipOptions,
  type DropSparseOptions,
  type ImputeOptions,
  type ImputeStrategy,
  type MissingInfo,
  type RegularizeOptions,
  type RegularizeReport,
} from './clean';
import { PreprocessingOptionError } from './errors';
import { parseAirQuality, type ParseInput, type ParseOptions } from './parse';
import { flagLists, measureColumns, toIso, withColumns, type ColumnTable } from './table';

export interface PreprocessOptions {
  /** Parser options, used when `raw` is csv text or csv/zip bytes. */
  parse?: ParseOptions;
  /** Hourly regularisation (always on; duplicates merged by `mean` unless set). */
  regularize?: RegularizeOptions;
  /** Sparse-column drop; default `{ maxMissingShare: 0.5 }`; `false` keeps every column. */
  dropSparse?: DropSparseOptions | false;
  /** Domain clipping in physical units; default the catalogue ranges, `clamp` mode; `false` disables. */
  clip?: ClipOptions | false;
  /** Imputation; default `{ strategy: 'mean', edges: 'nearest' }` (the prototype); `false` leaves gaps as null. */
  impute?: ImputeOptions | false;
}

export interface PreprocessReport {
  rowsIn: number;
  rows: number;
  /** First and last hour of the result, ISO-8601 UTC (null for an empty result). */
  start: string | null;
  end: string | null;
  regularize: RegularizeReport;
  /** Missing count and share per column after regularisation, before clipping and imputation. */
  missing: MissingInfo[];
  /** Rows with every measurement missing (after regularisation). */
  allMissingRows: number;
  /** Columns dropped for sparseness, with their missing share. */
  columnsDropped: MissingInfo[];
  /** Measurement columns of the result, in order. */
  columns: string[];
  /** Values clipped per column (below min / above max); empty when clipping is off. */
  clipped: Record<string, ClipCount>;
  clipMode: 'clamp' | 'missing' | null;
  /** Values imputed per column; empty when imputation is off. */
  imputed: Record<string, number>;
  /** Values still missing per column after imputation (or all missing values when imputation is off). */
  unfilled: Record<string, number>;
  strategy: ImputeStrategy | null;
}

export interface PreprocessResult {
  /** `timestamp`, the kept measurement columns, and the `imputed` / `clipped` flag lists per row. */
  table: ColumnTable;
  report: PreprocessReport;
}

const KNOWN_OPTIONS = new Set(['parse', 'regularize', 'dropSparse', 'clip', 'impute']);

/** Run the whole Phase-1 cleaning pipeline with typed options and defaults. */
export function preprocess(raw: ColumnTable | ParseInput, options: PreprocessOptions = {}): PreprocessResult {
  const unknown = Object.keys(options).filter((k) => !KNOWN_OPTIONS.has(k));
  if (unknown.length)
    throw new PreprocessingOptionError(
      unknown[0],
      `Unknown preprocess option(s): ${unknown.join(', ')}. Known: ${[...KNOWN_OPTIONS].join(', ')}.`,
    );
  const input =
    typeof raw === 'string' || raw instanceof Uint8Array || raw instanceof ArrayBuffer
      ? parseAirQuality(raw, options.parse)
      : raw;

  const regular = regularizeHourly(input, options.regularize);
  let table = regular.table;
  const missing = missingReport(table);
  const allMissingRows = countAllMissingRows(table, measureColumns(table));

  let columnsDropped: MissingInfo[] = [];
  if (options.dropSparse !== false) {
    const dropped = dropSparseColumns(table, options.dropSparse ?? {});
    table = dropped.table;
    columnsDropped = dropped.report.dropped;
  }

  let clipped: Record<string, ClipCount> = {};
  let clipMode: PreprocessReport['clipMode'] = null;
  if (options.clip !== false) {
    const c = clipToRanges(table, options.clip ?? {});
    table = c.table;
    clipped = c.report.counts;
    clipMode = c.report.mode;
  }

  let imputed: Record<string, number> = {};
  let unfilled: Record<string, number>;
  let strategy: ImputeStrategy | null = null;
  if (options.impute !== false) {
    const im = impute(table, options.impute ?? {});
    table = im.table;
    imputed = im.report.imputed;
    unfilled = im.report.unfilled;
    strategy = im.report.strategy;
  } else {
    unfilled = Object.fromEntries(missingReport(table).map((m) => [m.column, m.missing]));
  }

  // A stable shape: timestamp, measurements, imputed, clipped (flag columns always present).
  const columns = measureColumns(table);
  table = withColumns(table, { [IMPUTED]: flagLists(table, IMPUTED), [CLIPPED]: flagLists(table, CLIPPED) }, [
    TIMESTAMP,
    ...columns,
    IMPUTED,
    CLIPPED,
  ]);

  const rows = table.numRows();
  const ts = table.array(TIMESTAMP) as ArrayLike<number>;
  return {
    table,
    report: {
      rowsIn: input.numRows(),
      rows,
      start: rows ? toIso(ts[0]) : null,
      end: rows ? toIso(ts[rows - 1]) : null,
      regularize: regular.report,
      missing,
      allMissingRows,
      columnsDropped,
      columns,
      clipped,
      clipMode,
      imputed,
      unfilled,
      strategy,
    },
  };
}
