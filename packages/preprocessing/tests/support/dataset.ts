/**
 * The real UCI Air Quality csv for the package's tests, from AIR_QUALITY_DATASET (a local csv or the official zip),
 * so the package's tests need nothing else from the repository. The repository's `npm test` sets it.
 */
import { readFileSync } from 'node:fs';
import { decodeText, extractCsvFromZip, isZip } from '../../src/index';

export function readDatasetText(setting = process.env.AIR_QUALITY_DATASET?.trim()): string {
  if (!setting || /^https?:\/\//.test(setting))
    throw new Error(
      `These tests read the UCI Air Quality dataset from a local file, and AIR_QUALITY_DATASET is ${setting ? `a URL (${setting})` : 'not set'}. Fix: AIR_QUALITY_DATASET=/path/to/AirQualityUCI.csv (or the official zip) npm test -w @air-quality/preprocessing.`,
    );
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(setting);
  } catch (error) {
    throw new Error(
      `AIR_QUALITY_DATASET=${setting} could not be read (${(error as Error).message}). Point it at a local AirQualityUCI.csv or the official zip.`,
      { cause: error },
    );
  }
  return isZip(bytes) ? extractCsvFromZip(bytes).text : decodeText(bytes);
}
