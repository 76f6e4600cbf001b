/**
 * Runs every test file with node's test runner: unit tests need nothing, integration and
 * e2e tests get the real stack, which is started here when it is not running.
 *
 *   tsx scripts/test.ts            all tests (brings the stack up)
 *   tsx scripts/test.ts --unit     unit tests only
 *   tsx scripts/test.ts <filter>   only files whose path contains <filter>
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { up } from '../stack';
import { repoRoot } from '../stack/paths';
import { ensureTestDataset } from '../tests/support/dataset';

const resultsDir = join(repoRoot, 'test-results');
const skipDirs = new Set(['node_modules', '.git', '.esbuild', '.serverless', '.stack', 'build', 'dist']);

function findTests(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return skipDirs.has(entry.name) ? [] : findTests(path);
    return entry.name.endsWith('.test.ts') && /(^|\/)tests\//.test(relative(repoRoot, path)) ? [path] : [];
  });
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const unitOnly = args.includes('--unit');
  const filters = args.filter((a) => !a.startsWith('--'));
  const files = findTests(repoRoot)
    .map((f) => relative(repoRoot, f))
    .filter((f) => !unitOnly || f.includes('tests/unit/'))
    .filter((f) => filters.length === 0 || filters.some((filter) => f.includes(filter)))
    .sort();
  if (files.length === 0) {
    console.error('No test files matched.');
    return 1;
  }
  if (files.some((f) => !f.includes('tests/unit/'))) await up();
  const dataset = await ensureTestDataset();
  mkdirSync(resultsDir, { recursive: true });
  // One TAP file per run, so concurrent runs never read each other's counts.
  const tap = join(resultsDir, `results-${process.pid}.tap`);
  // One file at a time: integration tests share one broker and one bucket.
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      '--test-concurrency=1',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...files,
    ],
    {
      cwd: repoRoot,
      stdio: 'inherit',
      env: {
        ...process.env,
        AIR_QUALITY_TEST: '1',
        AIR_QUALITY_DATASET: dataset,
        // The emulator package's tests that start brokers of their own start them as this stack does.
        SERVERLESS_OFFLINE_KAFKA_TEST_BROKERS: join(repoRoot, 'tests', 'support', 'emulator-brokers.ts'),
      },
    },
  );
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  const summary = readFileSync(tap, 'utf8');
  rmSync(tap);
  const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(summary)?.[1] ?? 0);
  console.log(`\ntests: ${count('pass')} passed, ${count('fail')} failed, ${count('skipped')} skipped`);
  return code;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
