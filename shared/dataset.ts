import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  decodeText,
  extractCsvFromZip,
  isZip,
  preprocess,
  type ColumnTable,
  type PreprocessOptions,
  type PreprocessReport,
} from '@air-quality/preprocessing';
import type { ObjectStore } from './object-store';

/**
 * Where the UCI Air Quality csv comes from, in this order: an explicit setting
 * (AIR_QUALITY_DATASET: a path or URL to the csv or the official zip) → the copy staged in the
 * bucket under reference/ → a download of the official zip. Whatever is fetched is staged in the
 * bucket, so functions never download it twice.
 */
export const OFFICIAL_ZIP_URL = 'https://archive.ics.uci.edu/static/public/360/air+quality.zip';
export const REFERENCE_PREFIX = 'reference/uci-air-quality/';
export const STAGED_CSV_KEY = `${REFERENCE_PREFIX}AirQualityUCI.csv`;

export interface DatasetSource {
  csv: string;
  sha256: string;
  /** Where the csv came from (path, URL or staged key), for logs and errors. */
  origin: string;
}

export class DatasetUnavailableError extends Error {
  override name = 'DatasetUnavailableError';
}

export type Fetcher = (url: string) => Promise<Uint8Array>;

/** A GET of the whole body, failing on a non-2xx status (also the tests' download of the dataset). */
export const httpFetch: Fetcher = async (url) => {
  const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The csv text of the dataset's bytes: the csv itself or the official zip. */
export function csvFromBytes(bytes: Uint8Array): string {
  return isZip(bytes) ? extractCsvFromZip(bytes).text : decodeText(bytes);
}

async function readSetting(setting: string, fetcher: Fetcher): Promise<Uint8Array> {
  return /^https?:\/\//.test(setting) ? fetcher(setting) : new Uint8Array(await readFile(setting));
}

export async function resolveDataset(
  store: ObjectStore,
  setting: string | undefined = process.env.AIR_QUALITY_DATASET,
  fetcher: Fetcher = httpFetch,
): Promise<DatasetSource> {
  // Only reading the setting or downloading is blamed on the dataset: the bucket's errors name the object store themselves.
  const explicit = setting?.trim();
  if (explicit) {
    let csv: string;
    try {
      csv = csvFromBytes(await readSetting(explicit, fetcher));
    } catch (error) {
      throw new DatasetUnavailableError(
        `AIR_QUALITY_DATASET=${explicit} could not be read: ${(error as Error).message}. Point it at the UCI csv or the official zip (${OFFICIAL_ZIP_URL}), or unset it to use the staged copy.`,
        { cause: error },
      );
    }
    return stage(store, { csv, sha256: sha256(csv), origin: explicit });
  }
  const staged = await store.get(STAGED_CSV_KEY);
  if (staged) {
    const csv = decodeText(staged.body);
    return { csv, sha256: sha256(csv), origin: `s3://${store.bucket}/${STAGED_CSV_KEY}` };
  }
  let csv: string;
  try {
    csv = csvFromBytes(await fetcher(OFFICIAL_ZIP_URL));
  } catch (error) {
    const tried = [
      `AIR_QUALITY_DATASET (unset)`,
      `s3://${store.bucket}/${STAGED_CSV_KEY} (absent)`,
      `${OFFICIAL_ZIP_URL} (${(error as Error).message})`,
    ];
    throw new DatasetUnavailableError(
      `The UCI Air Quality dataset was not found. Looked at: ${tried.join('; ')}. Fix: set AIR_QUALITY_DATASET to a local copy of AirQualityUCI.csv or the official zip.`,
      { cause: error },
    );
  }
  return stage(store, { csv, sha256: sha256(csv), origin: OFFICIAL_ZIP_URL });
}

/** Copies the csv into the bucket unless the staged copy is already the same bytes. */
async function stage(store: ObjectStore, source: DatasetSource): Promise<DatasetSource> {
  const existing = await store.head(STAGED_CSV_KEY);
  if (existing?.metadata.sha256 !== source.sha256) {
    await store.put(STAGED_CSV_KEY, source.csv, {
      contentType: 'text/csv',
      metadata: { sha256: source.sha256, origin: source.origin.slice(0, 512) },
    });
  }
  return source;
}

/**
 * The preprocessing the reference copy gets. Time interpolation keeps replayed values realistic.
 * Clipping uses physical plausibility bounds, not the prototype's "typical urban" ranges: those
 * would clamp 74 % of the NOx and 40 % of the benzene readings of this very dataset to their upper
 * bound, destroying the signal that report and train analyse.
 */
export const PREPARED_OPTIONS: PreprocessOptions = {
  impute: { strategy: 'interpolate' },
  clip: {
    defaults: false,
    ranges: {
      co_gt: { min: 0, max: 50 },
      c6h6_gt: { min: 0, max: 200 },
      nox_gt: { min: 0, max: 5000 },
      no2_gt: { min: 0, max: 1000 },
      rh: { min: 0, max: 100 },
    },
  },
};

export interface PreparedDataset {
  table: ColumnTable;
  report: PreprocessReport;
  source: DatasetSource;
}

/** The cleaned reference dataset, derived in memory from the csv (each function that needs it cleans it itself). */
export async function loadPreparedDataset(
  store: ObjectStore,
  setting?: string,
  fetcher?: Fetcher,
): Promise<PreparedDataset> {
  const source = await resolveDataset(store, setting, fetcher);
  const { table, report } = preprocess(source.csv, PREPARED_OPTIONS);
  return { table, report, source };
}
