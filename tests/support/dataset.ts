/**
 * The real UCI dataset for tests, found as the product finds it: the AIR_QUALITY_DATASET setting → a local
 * cache → the official download (stored in the cache, so it happens once per machine). `npm test` resolves
 * it before the test files load (ensureTestDataset) and hands the path on in AIR_QUALITY_DATASET.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { decodeText, extractCsvFromZip, isZip } from '@air-quality/preprocessing';
import { OFFICIAL_ZIP_URL } from '../../shared/dataset';
import { cacheDir } from '../../stack/paths';

const cachedDataset = join(cacheDir, 'datasets', 'AirQualityUCI.csv');
const isUrl = (setting: string) => /^https?:\/\//.test(setting);

export async function ensureTestDataset(setting = process.env.AIR_QUALITY_DATASET?.trim()): Promise<string> {
  if (setting && !isUrl(setting)) return setting;
  if (existsSync(cachedDataset)) return cachedDataset;
  const url = setting || OFFICIAL_ZIP_URL;
  console.log(`Downloading the UCI Air Quality dataset for the tests from ${url} into ${cachedDataset} (once)...`);
  let bytes: Uint8Array;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(120_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    throw new Error(`The tests need the UCI Air Quality dataset and could not download it from ${url} (${(error as Error).message}). Offline, set AIR_QUALITY_DATASET to a local AirQualityUCI.csv or the official zip.`, { cause: error });
  }
  const text = isZip(bytes) ? extractCsvFromZip(bytes).text : decodeText(bytes);
  mkdirSync(dirname(cachedDataset), { recursive: true });
  writeFileSync(`${cachedDataset}.tmp`, text, 'latin1');
  renameSync(`${cachedDataset}.tmp`, cachedDataset);
  return cachedDataset;
}

/** The dataset's local path, once ensureTestDataset has run (npm test does) or AIR_QUALITY_DATASET names a file. */
export function datasetPath(): string {
  const setting = process.env.AIR_QUALITY_DATASET?.trim();
  const found = [setting && !isUrl(setting) ? setting : undefined, cachedDataset].find((path): path is string => !!path && existsSync(path));
  if (!found) {
    throw new Error(`The UCI Air Quality csv was not found (looked at: ${[setting, cachedDataset].filter(Boolean).join(', ')}). Run the tests with npm test (it downloads the dataset once), or set AIR_QUALITY_DATASET to a local AirQualityUCI.csv.`);
  }
  return found;
}

export const readDatasetText = (): string => readFileSync(datasetPath(), 'latin1');
