import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Keeps a benchmark's figures as bench/results/<name>.json, stamped with the Node version and date. */
export function saveResult(name: string, figures: object): void {
  const dir = join(__dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify({ ...figures, node: process.version, date: new Date().toISOString() }, null, 2)}\n`);
  console.log(`result written to ${file}`);
}
