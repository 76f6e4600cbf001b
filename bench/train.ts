/**
 * Training cost of `train` on the whole UCI dataset (CO, 1 h ahead): features from the layer,
 * GBT + AR fit and holdout evaluation with the bootstrap CI, ONNX export checked in onnxruntime.
 * No MinIO: the registry writes are a few small objects.
 *   npx tsx bench/train.ts           → prints the figures and writes bench/results/train.json
 *   npx tsx bench/train.ts --tune    → also times the default tuning grid (16 points × 3 folds), printing each fit and grid point
 */
import { readFileSync } from 'node:fs';
import { preprocess } from '@air-quality/preprocessing';
import { buildArtifacts } from '../functions/train/artifacts';
import { trainRequestSchema } from '../functions/train/request';
import { refitOnAllRows, trainAndEvaluate } from '../functions/train/train';
import { assembleTrainingSet } from '../functions/train/training-set';
import { PREPARED_OPTIONS } from '../shared/dataset';
import { datasetPath } from '../tests/support/dataset';
import { saveResult } from './support/results';
import { median } from './support/stats';

const repeats = 3;

async function timed<T>(fn: () => T | Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await fn();
  return [value, performance.now() - started];
}

async function main(): Promise<void> {
  const csv = readFileSync(datasetPath(), 'latin1');
  const phases: Record<'preprocessMs' | 'featuresMs' | 'fitAndEvaluateMs' | 'refitMs' | 'exportAndCheckMs', number[]> =
    {
      preprocessMs: [],
      featuresMs: [],
      fitAndEvaluateMs: [],
      refitMs: [],
      exportAndCheckMs: [],
    };
  const request = trainRequestSchema.parse({});
  let last:
    | {
        mae: Record<string, number>;
        persistence: number;
        ci: number[];
        trees: number;
        rows: number;
        cols: number;
        onnx: number;
      }
    | undefined;
  for (let i = 0; i < repeats; i++) {
    const [{ table }, preprocessMs] = await timed(() => preprocess(csv, PREPARED_OPTIONS));
    const [set, featuresMs] = await timed(() => assembleTrainingSet(table, 'co_gt', 1));
    const [outcome, fitMs] = await timed(() => trainAndEvaluate(set, request));
    const [refit, refitMs] = await timed(() => refitOnAllRows(set, outcome.best.fitted));
    const [artifacts, exportMs] = await timed(() =>
      buildArtifacts(set, outcome, refit, { kind: 'reference', origin: 'bench' }, new Date()),
    );
    const times = { preprocessMs, featuresMs, fitAndEvaluateMs: fitMs, refitMs, exportAndCheckMs: exportMs };
    for (const [k, v] of Object.entries(times)) phases[k as keyof typeof phases].push(v);
    const best = outcome.best;
    last = {
      mae: Object.fromEntries(outcome.candidates.map((c) => [c.fitted.kind, c.holdout.mae])),
      persistence: outcome.persistence.mae,
      ci: [best.vsPersistence.lower, best.vsPersistence.upper],
      trees: best.fitted.kind === 'gbt' ? best.fitted.model.trees.length : 0,
      rows: outcome.split.trainRows.length,
      cols: set.names.length,
      onnx: artifacts.onnxMaxAbsDifference,
    };
  }
  let tuning: { fits: number; ms: number; best: unknown; holdoutMae: number; maeDifferenceCi95: number[] } | undefined;
  if (process.argv.includes('--tune')) {
    const { table } = preprocess(csv, PREPARED_OPTIONS);
    const set = assembleTrainingSet(table, 'co_gt', 1);
    const started = performance.now();
    const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
    const [outcome, ms] = await timed(() =>
      trainAndEvaluate(set, trainRequestSchema.parse({ models: ['gbt'], tune: true }), {
        onFit: (f) =>
          console.log(
            `${seconds()} s  fit  point ${f.point}/${f.points} fold ${f.fold}/${f.folds} ${JSON.stringify(f.params)} mae ${f.mae.toFixed(4)} trees ${f.trees}`,
          ),
        onPoint: (p) =>
          console.log(
            `${seconds()} s  grid point ${p.point}/${p.points} ${JSON.stringify(p.params)} mean mae ${p.meanMae.toFixed(4)}`,
          ),
      }),
    );
    const { holdout, vsPersistence } = outcome.best;
    tuning = {
      fits: outcome.tuning!.candidates.length * outcome.tuning!.folds.length,
      ms: Math.round(ms),
      best: outcome.tuning!.best,
      holdoutMae: holdout.mae,
      maeDifferenceCi95: [vsPersistence.lower, vsPersistence.upper],
    };
  }
  const result = {
    dataset: 'UCI Air Quality, whole file',
    target: 'co_gt',
    horizon: 1,
    repeats,
    trainingRows: last!.rows,
    features: last!.cols,
    treesKept: last!.trees,
    ...Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(median(v))])),
    totalMsMedian: Math.round(
      median(phases.fitAndEvaluateMs.map((_, i) => Object.values(phases).reduce((s, v) => s + v[i], 0))),
    ),
    holdoutMae: last!.mae,
    persistenceMae: last!.persistence,
    maeDifferenceCi95: last!.ci,
    onnxMaxAbsDifference: last!.onnx,
    tuning,
  };
  console.log(JSON.stringify(result, null, 2));
  saveResult('train', result);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
