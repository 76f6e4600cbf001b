/**
 * Ours vs LightGBM vs persistence, side by side on exactly the same rows (CO, the whole UCI file):
 * for each horizon, fits `train`'s models (trainAndEvaluate with the default request), exports the
 * training set it used (float32 features, fitted rows, holdout, scored mask, persistence, the
 * bootstrap's block starts) and runs packages/forecasting/scripts/lightgbm_reference.py on it in a
 * cached virtualenv. Prints the table, checks that the Python bootstrap gives our interval for the
 * LightGBM predictions, and writes bench/results/forecast-reference.json (the script writes its fixture).
 *   npx tsx bench/forecast-reference.ts [--horizons 1,3,6,24]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  blockBootstrapStarts,
  defaultBlockBootstrapOptions,
  maeDifferenceInterval,
  mae,
  type MaeDifferenceInterval,
} from '@air-quality/forecasting';
import { preprocess } from '@air-quality/preprocessing';
import { trainRequestSchema } from '../functions/train/request';
import { trainAndEvaluate, type TrainingOutcome } from '../functions/train/train';
import { assembleTrainingSet, type TrainingSet } from '../functions/train/training-set';
import { ensurePipPackage } from '../scripts/pip-tool';
import { PREPARED_OPTIONS } from '../shared/dataset';
import { datasetPath } from '../tests/support/dataset';
import { saveResult } from './support/results';

const LIGHTGBM_VERSION = '4.7.0';
const TARGET = 'co_gt';
const script = join(__dirname, '..', 'packages', 'forecasting', 'scripts', 'lightgbm_reference.py');
const fixture = join(__dirname, '..', 'packages', 'forecasting', 'tests', 'fixtures', 'lightgbm-reference.json');

interface Run {
  horizon: number;
  set: TrainingSet;
  outcome: TrainingOutcome;
  seconds: number;
}

/** What lightgbm_reference.py reads: the shared feature matrix and, per horizon, its rows and scoring inputs. */
function exportTrainingSets(dir: string, runs: Run[]): void {
  const { features, names } = runs[0].set;
  writeFileSync(join(dir, 'features.f32'), new Uint8Array(features.values.buffer));
  const finite = (v: number) => (Number.isFinite(v) ? v : null);
  const horizons = runs.map(({ horizon, set, outcome: { split } }) => ({
    horizon,
    trainRows: split.trainRows,
    trainTarget: split.trainRows.map((t) => set.alignment.target[t]),
    holdoutRows: split.holdoutRows,
    holdoutActual: split.holdoutRows.map((t) => finite(set.alignment.target[t])),
    holdoutScored: Array.from(split.holdoutScored),
    persistence: split.holdoutRows.map((t) => set.alignment.persistence[t]),
    bootstrapStarts: blockBootstrapStarts(split.holdoutRows.length, defaultBlockBootstrapOptions).map((s) =>
      Array.from(s),
    ),
  }));
  const meta = {
    rows: features.rows,
    cols: features.cols,
    names,
    target: TARGET,
    baseColumn: names.indexOf(`${TARGET}_lag0`),
    bootstrap: defaultBlockBootstrapOptions,
    horizons,
  };
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));
}

interface ReferenceResult {
  horizon: number;
  persistenceMae: number;
  lightgbm: Record<
    'level' | 'change',
    { mae: number; vsPersistence: { difference: number; lower: number; upper: number } }
  >;
}

const ci = (i: { lower: number; upper: number }) => `[${i.lower.toFixed(3)}, ${i.upper.toFixed(3)}]`;

async function main(): Promise<void> {
  const horizonsArg = process.argv.indexOf('--horizons');
  const horizons = horizonsArg > 0 ? process.argv[horizonsArg + 1].split(',').map(Number) : [1, 3, 6, 24];
  const { table } = preprocess(readFileSync(datasetPath(), 'latin1'), PREPARED_OPTIONS);
  const runs: Run[] = horizons.map((horizon) => {
    const set = assembleTrainingSet(table, TARGET, horizon);
    const started = performance.now();
    const outcome = trainAndEvaluate(set, trainRequestSchema.parse({ target: TARGET, horizon }));
    return { horizon, set, outcome, seconds: (performance.now() - started) / 1000 };
  });

  const venv = await ensurePipPackage('lightgbm', LIGHTGBM_VERSION);
  const dir = mkdtempSync(join(tmpdir(), 'lightgbm-reference-'));
  try {
    exportTrainingSets(dir, runs);
    const started = performance.now();
    const python = spawnSync(join(venv, 'bin', 'python'), [script, dir, fixture], { stdio: 'inherit' });
    if (python.status !== 0) throw new Error(`${script} failed (exit ${python.status}); see its output above.`);
    const lightgbmSeconds = (performance.now() - started) / 1000;
    const reference = JSON.parse(readFileSync(fixture, 'utf8')).results as ReferenceResult[];
    const predictions = JSON.parse(readFileSync(join(dir, 'lightgbm-predictions.json'), 'utf8'));

    const rows = runs.map(({ horizon, set, outcome, seconds }) => {
      const { split, best } = outcome;
      const lgb = reference.find((r) => r.horizon === horizon)!;
      const actual = Float64Array.from(split.holdoutRows, (t) => set.alignment.target[t]);
      const persistence = Float64Array.from(split.holdoutRows, (t) => set.alignment.persistence[t]);
      // The same interval from our code on LightGBM's predictions: the two bootstraps must agree.
      for (const target of ['level', 'change'] as const) {
        const ours: MaeDifferenceInterval = maeDifferenceInterval(
          predictions[horizon][target],
          persistence,
          actual,
          split.holdoutScored,
        );
        const theirs = lgb.lightgbm[target].vsPersistence;
        const gap = Math.max(...(['difference', 'lower', 'upper'] as const).map((k) => Math.abs(ours[k] - theirs[k])));
        if (gap > 1e-9) throw new Error(`h${horizon} ${target}: the Python bootstrap departs from ours by ${gap}.`);
      }
      const persistenceMae = mae(persistence, actual, split.holdoutScored);
      if (Math.abs(persistenceMae - lgb.persistenceMae) > 1e-9)
        throw new Error(`h${horizon}: the persistence MAE differs between the two sides.`);
      return {
        horizon,
        scoredHours: best.vsPersistence.scoredRows,
        persistenceMae,
        ours: { chosen: best.fitted.kind, mae: best.holdout.mae, vsPersistence: best.vsPersistence, seconds },
        lightgbm: lgb.lightgbm,
      };
    });

    console.log('\nCO holdout (last 20 %), MAE and 95 % block-bootstrap CI of MAE − MAE(persistence)');
    console.log(
      '| h | scored | persistence | ours | ours − persistence | LightGBM level | − persistence | LightGBM change | − persistence |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) {
      const { level, change } = r.lightgbm;
      console.log(
        `| ${r.horizon} | ${r.scoredHours} | ${r.persistenceMae.toFixed(3)} | ${r.ours.mae.toFixed(3)} (${r.ours.chosen}) | ${ci(r.ours.vsPersistence)} | ${level.mae.toFixed(3)} | ${ci(level.vsPersistence)} | ${change.mae.toFixed(3)} | ${ci(change.vsPersistence)} |`,
      );
    }
    saveResult('forecast-reference', { target: TARGET, lightgbmSeconds, rows });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
