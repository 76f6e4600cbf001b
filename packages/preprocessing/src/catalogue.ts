/**
 * The column catalogue: the one source of truth for the 13 measurement columns of the UCI
 * Air Quality dataset (stable ids, source header names, units, descriptions, default
 * physical clipping ranges). Everything else in the library derives from this table.
 */

/** A physical range in the column's own unit; either bound may be absent (open). */
export interface Range {
  readonly min?: number;
  readonly max?: number;
}

export type ColumnKind = 'reference' | 'sensor' | 'meteo';

export interface ColumnInfo {
  /** Stable id used everywhere in the pipeline (tables, messages, models). */
  readonly id: string;
  /** Header name in the UCI csv/xlsx. */
  readonly source: string;
  /** Short human label. */
  readonly label: string;
  readonly unit: string;
  readonly kind: ColumnKind;
  readonly description: string;
  /** Default clipping range in physical units (from the prototype), or null for none. */
  readonly clip: Range | null;
}

/** The catalogue, in source column order. */
export const COLUMNS = [
  {
    id: 'co_gt',
    source: 'CO(GT)',
    label: 'CO',
    unit: 'mg/m³',
    kind: 'reference',
    description: 'True hourly averaged CO concentration (certified reference analyser).',
    clip: { min: 0.5, max: 5 },
  },
  {
    id: 'pt08_s1_co',
    source: 'PT08.S1(CO)',
    label: 'PT08.S1 (CO)',
    unit: 'sensor units',
    kind: 'sensor',
    description: 'Tin oxide sensor response, hourly averaged, nominally CO targeted.',
    clip: null,
  },
  {
    id: 'nmhc_gt',
    source: 'NMHC(GT)',
    label: 'NMHC',
    unit: 'µg/m³',
    kind: 'reference',
    description:
      'True hourly averaged non-methane hydrocarbons concentration (reference analyser); about 90 % missing.',
    clip: null,
  },
  {
    id: 'c6h6_gt',
    source: 'C6H6(GT)',
    label: 'Benzene',
    unit: 'µg/m³',
    kind: 'reference',
    description: 'True hourly averaged benzene concentration (reference analyser).',
    clip: { min: 0.5, max: 10 },
  },
  {
    id: 'pt08_s2_nmhc',
    source: 'PT08.S2(NMHC)',
    label: 'PT08.S2 (NMHC)',
    unit: 'sensor units',
    kind: 'sensor',
    description: 'Titania sensor response, hourly averaged, nominally NMHC targeted.',
    clip: null,
  },
  {
    id: 'nox_gt',
    source: 'NOx(GT)',
    label: 'NOx',
    unit: 'ppb',
    kind: 'reference',
    description: 'True hourly averaged NOx concentration (reference analyser).',
    clip: { min: 5, max: 100 },
  },
  {
    id: 'pt08_s3_nox',
    source: 'PT08.S3(NOx)',
    label: 'PT08.S3 (NOx)',
    unit: 'sensor units',
    kind: 'sensor',
    description: 'Tungsten oxide sensor response, hourly averaged, nominally NOx targeted.',
    clip: null,
  },
  {
    id: 'no2_gt',
    source: 'NO2(GT)',
    label: 'NO2',
    unit: 'µg/m³',
    kind: 'reference',
    description: 'True hourly averaged NO2 concentration (reference analyser).',
    clip: { min: 0, max: 200 },
  },
  {
    id: 'pt08_s4_no2',
    source: 'PT08.S4(NO2)',
    label: 'PT08.S4 (NO2)',
    unit: 'sensor units',
    kind: 'sensor',
    description: 'Tungsten oxide sensor response, hourly averaged, nominally NO2 targeted.',
    clip: null,
  },
  {
    id: 'pt08_s5_o3',
    source: 'PT08.S5(O3)',
    label: 'PT08.S5 (O3)',
    unit: 'sensor units',
    kind: 'sensor',
    description: 'Indium oxide sensor response, hourly averaged, nominally O3 targeted.',
    clip: null,
  },
  {
    id: 't',
    source: 'T',
    label: 'Temperature',
    unit: '°C',
    kind: 'meteo',
    description: 'Temperature. A few genuine negative values (minimum -1.9 °C) are real readings.',
    clip: null,
  },
  {
    id: 'rh',
    source: 'RH',
    label: 'Relative humidity',
    unit: '%',
    kind: 'meteo',
    description: 'Relative humidity.',
    clip: null,
  },
  {
    id: 'ah',
    source: 'AH',
    label: 'Absolute humidity',
    unit: 'not stated by the source',
    kind: 'meteo',
    description: 'Absolute humidity; the dataset does not state its unit.',
    clip: null,
  },
] as const satisfies readonly ColumnInfo[];

/** Stable id of a measurement column. */
export type ColumnId = (typeof COLUMNS)[number]['id'];

/** The 13 measurement column ids in source order. */
export const COLUMN_IDS: readonly ColumnId[] = COLUMNS.map((c) => c.id);

/** Name of the time column in every table this library produces (epoch milliseconds, UTC). */
export const TIMESTAMP = 'timestamp';
/** Per-row flag columns: lists of the column ids whose value was imputed / clipped in that row. */
export const IMPUTED = 'imputed';
export const CLIPPED = 'clipped';

/** The source header names of the two time columns. */
export const SOURCE_DATE = 'Date';
export const SOURCE_TIME = 'Time';

/** The sentinel the source uses for a missing value (written `-200` or `-200,0`). */
export const MISSING_SENTINEL = -200;

const byId = new Map<string, ColumnInfo>(COLUMNS.map((c) => [c.id, c]));
const bySource = new Map<string, ColumnInfo>(COLUMNS.map((c) => [c.source, c]));

export function isColumnId(value: string): value is ColumnId {
  return byId.has(value);
}

/** Catalogue entry for an id; throws a RangeError naming the known ids for an unknown one. */
export function columnInfo(id: string): ColumnInfo {
  const info = byId.get(id);
  if (!info) throw new RangeError(`Unknown column id "${id}". Known ids: ${COLUMN_IDS.join(', ')}.`);
  return info;
}

/** Catalogue entry for a source header name (`CO(GT)` → co_gt), or undefined. */
export function columnBySource(source: string): ColumnInfo | undefined {
  return bySource.get(source.trim());
}

/** The default clipping ranges (id → range) for the columns that have one. */
export function defaultClipRanges(): Partial<Record<ColumnId, Range>> {
  const out: Partial<Record<ColumnId, Range>> = {};
  for (const c of COLUMNS) if (c.clip) out[c.id] = { ...c.clip };
  return out;
}
