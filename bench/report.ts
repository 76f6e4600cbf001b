/**
 * The full report on the whole UCI dataset (every artifact), whole processes side by side:
 *   ours    the report handler bundled as `sls invoke local` and the deployed zip bundle it (esbuild, the layer's
 *           modules external), cold in a fresh node process: init, analysis, 13 charts, CSVs, Markdown, HTML,
 *           published to MinIO (a bucket of its own)
 *   python  bench/python-report/report.py, the prototype's way (pandas, scipy, statsmodels, matplotlib), same
 *           csv, same artifacts written to a folder, in a virtualenv under ~/.cache/air-quality-pipeline
 * Runs alternate (ours, python, ours, …) so both see the same machine load; medians and the ratio are printed
 * and kept in bench/results/report.json.
 *   npx tsx bench/report.ts [runs=3]
 *   npx tsx bench/report.ts --profile   → one run of ours under `node --cpu-prof`, its top costs printed
 */
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ensurePipEnv } from '../scripts/pip-tool';
import { loadConfig } from '../shared/config';
import { repoRoot } from '../stack/paths';
import { datasetPath } from '../tests/support/dataset';
import { minioClient } from '../tests/support/minio';
import { summarise } from './support/profile-summary';
import { saveResult } from './support/results';
import { median } from './support/stats';

const profile = process.argv.includes('--profile');
const runs = profile ? 1 : Number(process.argv[2] ?? 3);
/** serverless.yml's unbundledModules of the local stage: the layer's modules the report loads. */
const UNBUNDLED = ['parquet-wasm', 'onnxruntime-node', 'vega', 'vega-lite', '@resvg/resvg-js'];
const EVENT = join(repoRoot, 'events/report-reference.json');

interface Timed {
  wallMs: number;
  figures: Record<string, number>;
}

/** Runs a command to its end; its wall time and the JSON its stdout ends with. */
function timedRun(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: repoRoot, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      const wallMs = Math.round(performance.now() - started);
      const last = stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !last.startsWith('{'))
        return reject(new Error(`${command} ${args.join(' ')} failed (exit ${code}):\n${stdout}\n${stderr}`));
      resolve({ wallMs, figures: JSON.parse(last) });
    });
  });
}

/** The handler bundled the way serverless-esbuild bundles it for `sls invoke local` and the zip. */
async function bundleHandler(dir: string): Promise<string> {
  const outfile = join(dir, 'handler.js');
  await build({
    entryPoints: [join(repoRoot, 'functions/report/handler.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    external: UNBUNDLED,
    logLevel: 'warning',
  });
  return outfile;
}

async function pythonEnv(): Promise<string> {
  const requirements = readFileSync(join(__dirname, 'python-report/requirements.txt'), 'utf8').split('\n');
  const pinned = requirements.map((r) => r.trim()).filter(Boolean);
  const digest = createHash('sha256').update(pinned.join('\n')).digest('hex').slice(0, 8);
  return join(await ensurePipEnv(`python-report-${digest}`, pinned), 'bin', 'python');
}

const summary = (samples: Timed[]) => ({
  wallMs: median(samples.map((s) => s.wallMs)),
  ...Object.fromEntries(
    Object.keys(samples[0]!.figures).map((key) => [key, median(samples.map((s) => s.figures[key]!))]),
  ),
  wallMsRuns: samples.map((s) => s.wallMs),
});

async function main(): Promise<void> {
  const python = await pythonEnv();
  const work = mkdtempSync(join(tmpdir(), 'bench-report-'));
  const bucket = `bench-report-${randomUUID().slice(0, 8)}`;
  const config = loadConfig();
  const minio = minioClient(config.s3);
  await minio.makeBucket(bucket);
  try {
    const bundle = await bundleHandler(work);
    const eventFile = join(work, 'event.json');
    writeFileSync(eventFile, readFileSync(EVENT));
    const env = {
      S3_BUCKET: bucket,
      AIR_QUALITY_DATASET: datasetPath(),
      // The layer's modules, found as Lambda finds them in /opt/nodejs/node_modules.
      NODE_PATH: join(repoRoot, 'node_modules'),
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_LOG_LEVEL: 'WARN',
    };
    const invokeOurs = (nodeOptions: string[] = []) =>
      timedRun(
        process.execPath,
        [...nodeOptions, join(__dirname, 'support/invoke-handler.cjs'), bundle, 'handler', eventFile],
        env,
      );
    if (profile) {
      // Kept after the run, for a closer look: npx tsx bench/support/profile-summary.ts <file> [top] [function]
      const dir = mkdtempSync(join(tmpdir(), 'bench-report-profile-'));
      console.log((await invokeOurs(['--cpu-prof', `--cpu-prof-dir=${dir}`])).figures);
      const file = join(dir, readdirSync(dir)[0]!);
      const { self, total, totalMs } = summarise(JSON.parse(readFileSync(file, 'utf8')), 25);
      console.log(`profile: ${file}`);
      console.log(`${totalMs.toFixed(0)} ms sampled\n\nself:\n${self.join('\n')}\n\ntotal:\n${total.join('\n')}`);
      return;
    }
    const ours: Timed[] = [];
    const theirs: Timed[] = [];
    for (let i = 0; i < runs; i++) {
      ours.push(
        await timedRun(
          process.execPath,
          [join(__dirname, 'support/invoke-handler.cjs'), bundle, 'handler', eventFile],
          env,
        ),
      );
      const out = join(work, `python-${i}`);
      theirs.push(await timedRun(python, [join(__dirname, 'python-report/report.py'), datasetPath(), out]));
      console.log(`run ${i + 1}/${runs}: ours ${ours[i]!.wallMs} ms, python ${theirs[i]!.wallMs} ms`);
    }
    const result = {
      event: 'events/report-reference.json',
      ours: summary(ours),
      python: summary(theirs),
      speedup: Number((median(theirs.map((t) => t.wallMs)) / median(ours.map((o) => o.wallMs))).toFixed(2)),
      cpuSpeedup: Number(
        (median(theirs.map((t) => t.figures.cpuMs!)) / median(ours.map((o) => o.figures.cpuMs!))).toFixed(2),
      ),
    };
    console.log(JSON.stringify(result, null, 2));
    console.log(
      `ours ${result.ours.wallMs} ms, python ${result.python.wallMs} ms: ours is ${result.speedup}× as fast (CPU time ${result.cpuSpeedup}×)`,
    );
    saveResult('report', result);
  } finally {
    const keys: string[] = [];
    for await (const item of minio.listObjectsV2(bucket, '', true)) keys.push(item.name!);
    await minio.removeObjects(bucket, keys);
    await minio.removeBucket(bucket);
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
