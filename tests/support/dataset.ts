import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The real UCI dataset for tests: AIR_QUALITY_DATASET if it is a local file, else ../shared/datasets beside the repo. */
export function datasetPath(): string {
  const candidates = [process.env.AIR_QUALITY_DATASET, resolve(__dirname, '../../../shared/datasets/AirQualityUCI.csv')];
  const found = candidates.find((p): p is string => !!p && !/^https?:/.test(p) && existsSync(p));
  if (!found) throw new Error(`The UCI Air Quality csv was not found (looked at: ${candidates.filter(Boolean).join(', ')}). Set AIR_QUALITY_DATASET to its path.`);
  return found;
}

export const readDatasetText = (): string => readFileSync(datasetPath(), 'latin1');
