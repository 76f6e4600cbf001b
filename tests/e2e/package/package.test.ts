/**
 * The AWS packaging as Lambda runs it. `sls package --stage aws` makes one zip per function and the layer;
 * they are unpacked outside the repository and each handler runs in a child node process the way Lambda
 * starts it: working directory = the unpacked function (the task root), Lambda's NODE_PATH, and the layer
 * at /opt, bind-mounted in a private mount namespace (`unshare --mount`, needs root). Where mounts are not
 * allowed the same NODE_PATH points at the unpacked layer instead (said in the test output). The node is
 * of the template's runtime's major (tests/support/lambda-node.ts), not this machine's. The functions
 * talk to the local Kafka and MinIO, in a bucket and topic of their own.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import type { Kafka } from 'kafkajs';
import type { ReportRun } from '../../../functions/report/run';
import type { SimulateResult } from '../../../functions/simulate/simulate';
import type { TrainResult } from '../../../functions/train/run';
import { loadConfig } from '../../../shared/config';
import { resolveDataset } from '../../../shared/dataset';
import { createKafka } from '../../../shared/kafka';
import { S3ObjectStore } from '../../../shared/object-store';
import { packageStage } from '../../../scripts/lint-cloudformation';
import { datasetPath } from '../../support/dataset';
import { createTopics, deleteTopics, endOffsets } from '../../support/kafka';
import { reading, record, T0 } from '../../support/kafka-records';
import { nodeForRuntime } from '../../support/lambda-node';
import { minioClient } from '../../support/minio';

const MiB = 1024 * 1024;
/** Each function zip holds its own code only: about 1.1–1.3 MB today, 12.6 MB when everything was one zip. */
const FUNCTION_ZIP_BUDGET = 2 * MiB;
/** Lambda's quota for a function and all its layers, unzipped. */
const LAMBDA_UNZIPPED_LIMIT = 250 * MiB;
const FUNCTIONS = ['simulate', 'sink', 'compact', 'report', 'train', 'infer'];
const EXPECTED_LAYER_MODULES = [
  '@air-quality/preprocessing',
  'arquero',
  '@uwdata/flechette',
  'vega',
  'vega-lite',
  'parquet-wasm',
  'onnxruntime-node',
  'onnxruntime-common',
  '@resvg/resvg-js',
  '@resvg/resvg-js-linux-x64-gnu',
  'dejavu-fonts-ttf',
].sort();

const run = randomUUID().slice(0, 8);
const bucket = `package-test-${run}`;
const topic = `test-package-${run}`;
const config = loadConfig();
const s3 = { ...config.s3, bucket };
const store = new S3ObjectStore(s3);
const minio = minioClient(config.s3);

// biome-ignore lint/suspicious/noExplicitAny: a CloudFormation template read as JSON, probed by path in assertions
type Template = { Resources: Record<string, { Type: string; Properties: Record<string, any> }> };
interface Invocation<R> {
  result?: R;
  error?: string;
  /** Every CommonJS file the process loaded. */
  loaded: string[];
  /** Where each layer module resolves from the task root. */
  resolved: Record<string, string | null>;
}

const capitalized = (fn: string) => `${fn[0]!.toUpperCase()}${fn.slice(1)}`;
const fileSize = (file: string) => statSync(file).size;
const mb = (bytes: number) => `${(bytes / MiB).toFixed(2)} MB`;

/** Unpacks a zip into `dir`; the unpacked bytes. */
function unzipTo(zipFile: string, dir: string): number {
  let bytes = 0;
  for (const [name, data] of Object.entries(unzipSync(readFileSync(zipFile)))) {
    if (name.endsWith('/')) continue;
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), data);
    bytes += data.length;
  }
  return bytes;
}

/** The packages under a node_modules folder, scoped ones as @scope/name. */
const packagesIn = (dir: string) =>
  readdirSync(dir)
    .flatMap((entry) =>
      entry.startsWith('@') ? readdirSync(join(dir, entry)).map((name) => `${entry}/${name}`) : [entry],
    )
    .sort();

/** Whether this process may bind-mount over /opt in a private mount namespace (root and util-linux unshare). */
const canMountOpt = () =>
  spawnSync('unshare', ['--mount', 'sh', '-c', 'mount --bind "$1" /opt', 'sh', tmpdir()]).status === 0;

let packageDir: string;
let template: Template;
let work: string;
let layerDir: string;
/** Where the child processes see the layer: /opt, or the unpacked layer when mounts are not allowed. */
let layerRoot: string;
let layerModules: string[];
let layerUnzipped: number;
/** The Node of the template's runtime (nodejs22.x → Node 22), which the handlers run on. */
let runtimeNode: { runtime: string; node: string; version: string };
const unzipped = new Map<string, number>();
let kafka: Kafka;

before(async () => {
  packageDir = await packageStage('aws');
  template = JSON.parse(readFileSync(join(packageDir, 'cloudformation-template-update-stack.json'), 'utf8'));
  work = mkdtempSync(join(tmpdir(), 'lambda-package-'));
  layerDir = join(work, 'layer');
  layerUnzipped = unzipTo(join(packageDir, 'runtime.zip'), layerDir);
  layerModules = packagesIn(join(layerDir, 'nodejs/node_modules'));
  for (const fn of FUNCTIONS) unzipped.set(fn, unzipTo(join(packageDir, `${fn}.zip`), join(work, fn)));
  // Beside the task roots, like Lambda's /var/runtime: outside the repository, so nothing resolves from its node_modules.
  copyFileSync(join(__dirname, 'lambda-runtime.cjs'), join(work, 'lambda-runtime.cjs'));
  layerRoot = canMountOpt() ? '/opt' : layerDir;
  const runtime = template.Resources.SimulateLambdaFunction!.Properties.Runtime as string;
  runtimeNode = { runtime, ...(await nodeForRuntime(runtime)) };

  await minio.makeBucket(bucket);
  await resolveDataset(store, datasetPath());
  kafka = await createKafka(config.kafka, 'package-test');
  await createTopics(kafka, [topic, `${topic}.predictions`]);
});

after(async () => {
  await store.delete(await store.list('')).catch(() => undefined);
  await minio.removeBucket(bucket).catch(() => undefined);
  if (kafka) await deleteTopics(kafka, [topic, `${topic}.predictions`]);
  for (const dir of [work, packageDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The function's environment as the template sets it, with the local stack instead of the stage's placeholders. */
function lambdaEnvironment(fn: string, taskRoot: string): NodeJS.ProcessEnv {
  const props = template.Resources[`${capitalized(fn)}LambdaFunction`]!.Properties;
  const fromTemplate = Object.entries(props.Environment.Variables as Record<string, unknown>).filter(
    (e): e is [string, string] => typeof e[1] === 'string',
  );
  return {
    ...Object.fromEntries(fromTemplate),
    PATH: process.env.PATH,
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    AWS_REGION: config.s3.region,
    AWS_LAMBDA_FUNCTION_NAME: props.FunctionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(props.MemorySize),
    LAMBDA_TASK_ROOT: taskRoot,
    // Lambda's value for Node.js runtimes, with the task root where Lambda has /var/task.
    NODE_PATH: [
      `${layerRoot}/nodejs/node${runtimeNode.version.split('.')[0]}/node_modules`,
      `${layerRoot}/nodejs/node_modules`,
      '/var/runtime/node_modules',
      '/var/runtime',
      taskRoot,
    ].join(':'),
    KAFKA_BOOTSTRAP_SERVERS: config.kafka.brokers.join(','),
    KAFKA_AUTH: 'none',
    KAFKA_SECRET_ARN: '',
    KAFKA_TOPIC_READINGS: topic,
    KAFKA_TOPIC_PREDICTIONS: `${topic}.predictions`,
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: bucket,
    S3_ACCESS_KEY_ID: s3.credentials?.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.credentials?.secretAccessKey,
    // No X-Ray daemon here.
    POWERTOOLS_TRACE_ENABLED: 'false',
  };
}

/** Runs the packaged handler of `fn` on one event in a fresh node process, as Lambda would. */
async function invoke<R>(fn: string, event: unknown): Promise<Invocation<R>> {
  const taskRoot = join(work, fn);
  const eventFile = join(work, `${fn}-event.json`);
  const resultFile = join(work, `${fn}-result.json`);
  writeFileSync(eventFile, JSON.stringify(event));
  const handler = template.Resources[`${capitalized(fn)}LambdaFunction`]!.Properties.Handler as string;
  const node = [
    runtimeNode.node,
    join(work, 'lambda-runtime.cjs'),
    handler,
    eventFile,
    resultFile,
    layerModules.join(','),
  ];
  const [command, ...args] =
    layerRoot === '/opt'
      ? [
          'unshare',
          '--mount',
          '--',
          'sh',
          '-c',
          'mount --bind "$1" /opt && shift && exec "$@"',
          'sh',
          layerDir,
          ...node,
        ]
      : node;
  try {
    await promisify(execFile)(command!, args, {
      cwd: taskRoot,
      env: lambdaEnvironment(fn, taskRoot),
      timeout: 300_000,
      maxBuffer: 64 * MiB,
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    assert.fail(`${fn} did not run: ${(error as Error).message}\n${stdout}\n${stderr}`);
  }
  const invocation = JSON.parse(readFileSync(resultFile, 'utf8')) as Invocation<R>;
  assert.equal(invocation.error, undefined, `${fn} failed: ${invocation.error}`);
  return invocation;
}

/** Every file the handler loaded is its own bundle or the layer's, and `modules` came from the layer. */
function assertLoadedFromLayer(fn: string, invocation: Invocation<unknown>, modules: string[]): void {
  const layerModulesDir = `${layerRoot}/nodejs/node_modules/`;
  const stray = invocation.loaded.filter(
    (file) => !file.startsWith(`${join(work, fn)}/`) && !file.startsWith(layerModulesDir),
  );
  assert.deepEqual(stray, [], `${fn} loaded files from neither its zip nor the layer`);
  const packageOf = (file: string) => {
    const [first, second] = file.slice(layerModulesDir.length).split('/');
    return first!.startsWith('@') ? `${first}/${second}` : first;
  };
  const fromLayer = new Set(invocation.loaded.filter((f) => f.startsWith(layerModulesDir)).map(packageOf));
  for (const name of modules) assert.ok(fromLayer.has(name), `${fn} did not load ${name} from ${layerModulesDir}`);
}

describe('sls package --stage aws: function zips and the layer', () => {
  it('prints the sizes', (t: TestContext) => {
    t.diagnostic(`handlers run on Node ${runtimeNode.version} (the template's ${runtimeNode.runtime})`);
    t.diagnostic(
      `layer mounted at ${layerRoot === '/opt' ? '/opt (private mount namespace)' : `${layerRoot} (no mount namespace here: NODE_PATH points at the unpacked layer)`}`,
    );
    t.diagnostic(`layer: ${mb(fileSize(join(packageDir, 'runtime.zip')))} zipped, ${mb(layerUnzipped)} unzipped`);
    for (const fn of FUNCTIONS)
      t.diagnostic(`${fn}: ${mb(fileSize(join(packageDir, `${fn}.zip`)))} zipped, ${mb(unzipped.get(fn)!)} unzipped`);
  });

  it('every function zip holds only its bundle and source map, within the budget, with no copy of a layer module', () => {
    for (const fn of FUNCTIONS) {
      assert.ok(
        fileSize(join(packageDir, `${fn}.zip`)) < FUNCTION_ZIP_BUDGET,
        `${fn}.zip is over ${mb(FUNCTION_ZIP_BUDGET)}`,
      );
      assert.deepEqual(readdirSync(join(work, fn), { recursive: true }).sort(), [
        'functions',
        `functions/${fn}`,
        `functions/${fn}/handler.js`,
        `functions/${fn}/handler.js.map`,
      ]);
      const sources: string[] = JSON.parse(
        readFileSync(join(work, fn, `functions/${fn}/handler.js.map`), 'utf8'),
      ).sources;
      assert.ok(
        sources.some((s) => s.endsWith(`functions/${fn}/handler.ts`)),
        `${fn}'s source map names its handler`,
      );
      const copies = sources.filter(
        (s) =>
          s.includes('packages/preprocessing/') || layerModules.some((name) => s.includes(`node_modules/${name}/`)),
      );
      assert.deepEqual(copies, [], `${fn} bundles code the layer provides`);
    }
  });

  it("the layer holds every module the functions leave out, native code for linux-x64 only, within Lambda's size quota", () => {
    assert.deepEqual(layerModules, EXPECTED_LAYER_MODULES);
    const files = readdirSync(layerDir, { recursive: true }).map(String);
    const otherPlatforms = files.filter((f) => /darwin|win32|arm64|musl/.test(f));
    assert.deepEqual(otherPlatforms, []);
    assert.ok(files.includes('nodejs/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node'));
    assert.ok(layerUnzipped + Math.max(...unzipped.values()) < LAMBDA_UNZIPPED_LIMIT);
  });
});

describe('packaged handlers run as in Lambda, modules from the layer', () => {
  let trained: TrainResult | undefined;
  it('simulate sends 10 readings (preprocessing)', async () => {
    const before = await endOffsets(kafka, topic);
    const invocation = await invoke<SimulateResult>('simulate', { count: 10 });
    assert.equal(invocation.result!.sent, 10);
    assert.equal(invocation.result!.topic, topic);
    const after = await endOffsets(kafka, topic);
    assert.equal(
      [...after].reduce((n, [p, high]) => n + high - (before.get(p) ?? 0), 0),
      10,
    );
    assertLoadedFromLayer('simulate', invocation, ['@air-quality/preprocessing', 'arquero', '@uwdata/flechette']);
  });

  it('sink writes one reading to the Parquet lake (parquet-wasm, arquero, flechette)', async () => {
    const event = {
      eventSource: 'SelfManagedKafka',
      bootstrapServers: config.kafka.brokers.join(','),
      records: { [`${topic}-0`]: [record(0, reading('station-01', 1, T0), { topic })] },
    };
    const invocation = await invoke<{ partitions: { written: number; rejected: number; files: number }[] }>(
      'sink',
      event,
    );
    assert.deepEqual(
      invocation.result!.partitions.map(({ written, rejected, files }) => ({ written, rejected, files })),
      [{ written: 1, rejected: 0, files: 1 }],
    );
    assert.equal((await store.list(`lake/${topic}/dt=`)).filter((k) => k.endsWith('.parquet')).length, 1);
    assertLoadedFromLayer('sink', invocation, ['parquet-wasm', 'arquero', '@uwdata/flechette']);
  });

  it('report analyses the reference dataset staged in MinIO into charts (vega, vega-lite, resvg, fonts)', async () => {
    const event = JSON.parse(readFileSync(join(__dirname, '../../../events/report-reference.json'), 'utf8'));
    const invocation = await invoke<ReportRun>('report', event);
    assert.equal(invocation.result!.rows, 9357);
    const charts = invocation.result!.artifacts.filter((a) => a.name.endsWith('.png'));
    assert.ok(charts.length >= 5 && charts.every((c) => c.bytes > 1000), 'every chart rendered');
    assertLoadedFromLayer('report', invocation, [
      '@air-quality/preprocessing',
      'arquero',
      '@uwdata/flechette',
      '@resvg/resvg-js',
      '@resvg/resvg-js-linux-x64-gnu',
    ]);
    // vega and vega-lite are ESM (not in require.cache): the render code imports the file require.resolve finds.
    for (const name of ['vega', 'vega-lite'])
      assert.equal(invocation.resolved[name], `${layerRoot}/nodejs/node_modules/${name}/index.mjs`);
  });

  it('train exports an ONNX model and checks it against the trees (onnxruntime-node)', async () => {
    const invocation = await invoke<TrainResult>('train', {
      source: 'reference',
      lastHours: 3000,
      models: ['gbt'],
      gbt: { trees: 60 },
    });
    assert.ok(
      invocation.result!.onnxMaxAbsDifference < 1e-3,
      `ONNX differs by ${invocation.result!.onnxMaxAbsDifference}`,
    );
    assert.ok(
      (await store.list('models/')).some((k) => k.endsWith('model.onnx')),
      'the model is in the registry',
    );
    assertLoadedFromLayer('train', invocation, [
      'onnxruntime-node',
      'onnxruntime-common',
      '@air-quality/preprocessing',
    ]);
    trained = invocation.result!;
  });

  it('infer scores a day of one station with the promoted ONNX model (onnxruntime-node, parquet-wasm)', async () => {
    assert.ok(trained?.promoted, `train must promote a model first: ${trained?.decision}`);
    // Lambda's records carry timestampType, which Powertools' Kafka schema (infer's validation) requires.
    const hours = Array.from({ length: 30 }, (_, i) => ({
      ...record(i, reading('station-01', i + 1, T0 + i * 3_600_000), { topic }),
      timestampType: 'CREATE_TIME',
    }));
    const event = {
      eventSource: 'SelfManagedKafka',
      bootstrapServers: config.kafka.brokers.join(','),
      records: { [`${topic}-0`]: hours },
    };
    const invocation = await invoke<{ modelVersion?: string; records: number; scored: number }>('infer', event);
    assert.equal(invocation.result!.modelVersion, trained!.version);
    assert.equal(invocation.result!.records, 30);
    assert.ok(invocation.result!.scored > 0, 'readings with a full feature window are scored');
    assert.ok(
      (await store.list('predictions/')).some((k) => k.endsWith('.parquet')),
      'predictions are in the lake',
    );
    assertLoadedFromLayer('infer', invocation, [
      'onnxruntime-node',
      'onnxruntime-common',
      'parquet-wasm',
      '@air-quality/preprocessing',
    ]);
  });
});
