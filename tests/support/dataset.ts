/**
 * The real UCI dataset for tests, found as the product finds it: the AIR_QUALITY_DATASET setting → a local
 * cache → the official download (stored in the cache, so it happens once per machine). `npm test` resolves
 * it before the test files load (ensureTestDataset) and hands the path on in AIR_QUALITY_DATASET.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isZip } from '@air-quality/preprocessing';
import { csvFromBytes, httpFetch, OFFICIAL_ZIP_URL } from '../../shared/dataset';
import { cacheDir } from '../../stack/paths';

const cachedDataset = join(cacheDir, 'datasets', 'AirQualityUCI.csv');
const isUrl = (setting: string) => /^https?:\/\//.test(setting);

/** The csv's local path: the setting when it is a local csv, else the cache (filled from a local zip or a download). */
export async function ensureTestDataset(setting = process.env.AIR_QUALITY_DATASET?.trim()): Promise<string> {
  if (setting && !isUrl(setting)) {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(setting);
    } catch (error) {
      throw new Error(
        `AIR_QUALITY_DATASET=${setting} could not be read (${(error as Error).message}). Point it at a local AirQualityUCI.csv or the official zip, or unset it to use the cache (${cachedDataset}).`,
        { cause: error },
      );
    }
    // The test files read a csv; the official zip is unpacked into the cache once.
    return isZip(bytes) ? cache(csvFromBytes(bytes)) : setting;
  }
  if (existsSync(cachedDataset)) return cachedDataset;
  const url = setting || OFFICIAL_ZIP_URL;
  console.log(`Downloading the UCI Air Quality dataset for the tests from ${url} into ${cachedDataset} (once)...`);
  let bytes: Uint8Array;
  try {
    bytes = await httpFetch(url);
  } catch (error) {
    throw new Error(
      `The tests need the UCI Air Quality dataset and could not download it from ${url} (${(error as Error).message}). Offline, set AIR_QUALITY_DATASET to a local AirQualityUCI.csv or the official zip.`,
      { cause: error },
    );
  }
  return cache(csvFromBytes(bytes));
}

function cache(csv: string): string {
  mkdirSync(dirname(cachedDataset), { recursive: true });
  writeFileSync(`${cachedDataset}.tmp`, csv, 'latin1');
  renameSync(`${cachedDataset}.tmp`, cachedDataset);
  return cachedDataset;
}

/** The dataset's local path, once ensureTestDataset has run (npm test does) or AIR_QUALITY_DATASET names a file. */
export function datasetPath(): string {
  const setting = process.env.AIR_QUALITY_DATASET?.trim();
  const found = [setting && !isUrl(setting) ? setting : undefined, cachedDataset].find(
    (path): path is string => !!path && existsSync(path),
  );
  if (!found) {
    throw new Error(
      `The UCI Air Quality csv was not found (looked at: ${[setting, cachedDataset].filter(Boolean).join(', ')}). Run the tests with npm test (it downloads the dataset once), or set AIR_QUALITY_DATASET to a local AirQualityUCI.csv.`,
    );
  }
  return found;
}

export const readDatasetText = (): string => readFileSync(datasetPath(), 'latin1');
