/**
 * Cold start (init) of each handler: a fresh node process requires the handler's bundle (Lambda's init phase:
 * loading the module and its top-level code, before the first event), `runs` times, median.
 *   npx tsx bench/cold-start.ts [runs = 7] [--against=<git revision>] [--package]
 *     → prints the figures, writes bench/results/cold-start.json
 * local: each handler bundled as `sls invoke local` and `sls offline` bundle it (serverless.yml's esbuild settings,
 *   the local stage's unbundled modules resolved from node_modules); with --against, also the same handlers of another
 *   revision (its functions/ and shared/, with this tree's node_modules), run alternately with ours.
 * --package: also the zips of `sls package --stage aws` with the layer unpacked and Lambda's NODE_PATH, as
 *   tests/e2e/package runs them (takes a minute more: it packages).
 * Besides the time, which of the heavy modules outside the bundle (in the layer, or node_modules locally) the init
 * loaded: each should load only on the path that needs it. Set CPU_PROFILE_DIR to keep a CPU profile of each init.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { unzipSync } from 'fflate';
import { packageStage } from '../scripts/lint-cloudformation';
import { saveResult } from './support/results';
import { median } from './support/stats';

const runs = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 7);
const withPackage = process.argv.includes('--package');
const against = process.argv.find((a) => a.startsWith('--against='))?.slice('--against='.length);
const FUNCTIONS = ['simulate', 'sink', 'report', 'train', 'infer'];
/** serverless.yml's local unbundledModules. */
const LOCAL_EXTERNAL = ['parquet-wasm', 'onnxruntime-node', 'vega', 'vega-lite', '@resvg/resvg-js'];
const HEAVY = {
  onnxruntime: /onnxruntime-node/,
  vega: /\/vega(-lite)?\//,
  'parquet-wasm': /parquet-wasm/,
  resvg: /@resvg/,
  arquero: /\/arquero\//,
  preprocessing: /@air-quality\/preprocessing/,
};
const root = join(__dirname, '..');

/** Runs in the child: require the bundle, report the time and what it loaded (require.cache and bundled markers). */
const probe = `
const started = performance.now();
require(process.argv[1]);
const initMs = performance.now() - started;
process.stdout.write(JSON.stringify({ initMs, sinceStartMs: performance.now(), loaded: Object.keys(require.cache) }));
process.exit(0);`;

interface Sample {
  initMs: number;
  sinceStartMs: number;
  loaded: string[];
}

interface Bundle {
  file: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Each bundle `runs` times, interleaved (a, b, a, b, …) so that the machine's load hits them alike. */
function measure(bundles: Record<string, Bundle>) {
  const profile = process.env.CPU_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.CPU_PROFILE_DIR}`] : [];
  const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(bundles).map((name) => [name, []]));
  for (let i = 0; i < runs; i++)
    for (const [name, { file, env, cwd }] of Object.entries(bundles))
      samples[name].push(
        JSON.parse(execFileSync(process.execPath, [...profile, '-e', probe, file], { env, cwd, encoding: 'utf8' })),
      );
  return Object.fromEntries(
    Object.entries(samples).map(([name, runsOf]) => [
      name,
      {
        initMs: Math.round(median(runsOf.map((s) => s.initMs))),
        processReadyMs: Math.round(median(runsOf.map((s) => s.sinceStartMs))),
        filesLoaded: runsOf[0].loaded.length,
        heavyLoaded: Object.entries(HEAVY)
          .filter(([, pattern]) => runsOf[0].loaded.some((f) => pattern.test(f)))
          .map(([heavy]) => heavy)
          .join(' '),
      },
    ]),
  );
}

const baseEnv = (): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  POWERTOOLS_TRACE_ENABLED: 'false',
  POWERTOOLS_LOG_LEVEL: 'WARN',
  AWS_REGION: 'us-east-1',
});

/** Each handler bundled from each source tree (this one, and `--against`'s), measured side by side. */
async function local(dir: string, trees: Record<string, string>) {
  const out: Record<string, ReturnType<typeof measure>[string]> = {};
  for (const fn of FUNCTIONS) {
    const bundles: Record<string, Bundle> = {};
    for (const [tree, source] of Object.entries(trees)) {
      const outfile = join(dir, tree, fn, 'handler.js');
      await build({
        entryPoints: [join(source, 'functions', fn, 'handler.ts')],
        outfile,
        bundle: true,
        minify: false,
        platform: 'node',
        format: 'cjs',
        target: 'node24',
        external: LOCAL_EXTERNAL,
        logLevel: 'error',
      });
      bundles[`${fn} (${tree})`] = { file: outfile, env: baseEnv(), cwd: root };
    }
    Object.assign(out, measure(bundles));
  }
  return out;
}

/** The functions, shared code and layer of a git revision, beside this tree's node_modules (which it resolves). */
function checkout(revision: string, dir: string): string {
  mkdirSync(dir, { recursive: true });
  execFileSync('sh', ['-c', `git archive ${revision} functions shared layers | tar -x -C "${dir}"`], { cwd: root });
  return dir;
}

function unzipTo(zipFile: string, dir: string): void {
  for (const [name, data] of Object.entries(unzipSync(readFileSync(zipFile)))) {
    if (name.endsWith('/')) continue;
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
}

async function packaged(dir: string) {
  const packageDir = await packageStage('aws');
  try {
    const template = JSON.parse(readFileSync(join(packageDir, 'cloudformation-template-update-stack.json'), 'utf8'));
    const layer = join(dir, 'layer');
    unzipTo(join(packageDir, 'runtime.zip'), layer);
    const out: Record<string, ReturnType<typeof measure>[string]> = {};
    for (const fn of FUNCTIONS) {
      const taskRoot = join(dir, fn);
      unzipTo(join(packageDir, `${fn}.zip`), taskRoot);
      const props = template.Resources[`${fn[0].toUpperCase()}${fn.slice(1)}LambdaFunction`].Properties;
      const handler = props.Handler as string;
      const env = {
        ...baseEnv(),
        ...Object.fromEntries(
          Object.entries(props.Environment.Variables as Record<string, unknown>).filter(
            ([, v]) => typeof v === 'string',
          ),
        ),
        POWERTOOLS_TRACE_ENABLED: 'false',
        S3_ENDPOINT: 'http://localhost:9000',
        KAFKA_BOOTSTRAP_SERVERS: 'localhost:29092',
        KAFKA_AUTH: 'none',
        KAFKA_SECRET_ARN: '',
        LAMBDA_TASK_ROOT: taskRoot,
        NODE_PATH: [`${layer}/nodejs/node_modules`, taskRoot].join(':'),
      };
      Object.assign(
        out,
        measure({
          [fn]: { file: join(taskRoot, `${handler.slice(0, handler.lastIndexOf('.'))}.js`), env, cwd: taskRoot },
        }),
      );
    }
    return out;
  } finally {
    rmSync(packageDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  // Under the repository, so that the bundles resolve its node_modules (sls package empties .esbuild).
  mkdirSync(join(root, '.esbuild'), { recursive: true });
  const dir = mkdtempSync(join(root, '.esbuild', 'cold-start-'));
  try {
    const trees = { ours: root, ...(against ? { [against]: checkout(against, join(dir, 'against')) } : {}) };
    const figures: Record<string, unknown> = { runs, against, local: await local(dir, trees) };
    console.log('local bundles (sls invoke local / sls offline)');
    console.table(figures.local);
    if (withPackage) {
      figures.package = await packaged(mkdtempSync(join(tmpdir(), 'cold-start-package-')));
      console.log('packaged zips + layer (sls package --stage aws)');
      console.table(figures.package);
    }
    saveResult('cold-start', {
      what: 'median ms for a fresh node process to require each handler bundle (init), and the heavy modules that init loads',
      ...figures,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
