import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

/** The machine a benchmark ran on. It is shared: a load above its core count slows every figure. */
const machine = () => ({ cpu: cpus()[0]?.model, cores: cpus().length, loadAverage1m: Number(loadavg()[0].toFixed(2)) });

/** Keeps a benchmark's figures as bench/results/<name>.json, stamped with the machine, the Node version and the date. */
export function saveResult(name: string, figures: object): void {
  const dir = join(__dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ ...figures, ...machine(), node: process.version, date: new Date().toISOString() }, null, 2)}\n`,
  );
  console.log(`result written to ${file}`);
}
