import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import {
  HOUR_MS,
  IMPUTED,
  featureNames,
  flagLists,
  parseAirQuality,
  preprocess,
  timestamps,
} from '@air-quality/preprocessing';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { datasetRows } from '../../../functions/simulate/messages';
import { linearForecastToOnnx } from '@air-quality/forecasting';
import { gbtToOnnx } from '@air-quality/forecasting';
import { trainRequestSchema } from '../../../functions/train/request';
import type { TuningFit } from '@air-quality/forecasting';
import { runTraining, type TrainResult, type TrainSkipped } from '../../../functions/train/run';
import { trainAndEvaluate } from '../../../functions/train/train';
import { assembleTrainingSet, selectRows } from '../../../functions/train/training-set';
import { loadConfig } from '../../../shared/config';
import { PREPARED_OPTIONS } from '../../../shared/dataset';
import { advanceWatermark, dataFileKey, lakeParquet, readWatermark, type LakeRow } from '../../../shared/lake';
import { parsePayload } from '../../../shared/middleware';
import { currentPointerSchema, manifestSchema } from '../../../shared/models/manifest';
import { ModelRegistry } from '../../../shared/models/registry';
import { S3ObjectStore } from '../../../shared/object-store';
import pLimit from 'p-limit';
import { datasetPath, readDatasetText } from '../../support/dataset';

process.env.AIR_QUALITY_DATASET ??= datasetPath();
const store = new S3ObjectStore(loadConfig().s3);
const prefix = `tests/train-${randomUUID()}/models/`;
const registry = new ModelRegistry(store, prefix);
const request = (payload: unknown) => parsePayload(trainRequestSchema, payload);
const lakeTopic = `test-train-lake-${randomUUID()}`;
const deps = (now: string) => ({ store, registry, readingsTopic: lakeTopic, now: () => new Date(now) });
/** The run, which must have trained (a skipped run's reason is the failure message). */
const trained = (result: TrainResult | TrainSkipped): TrainResult => {
  if (result.outcome === 'skipped') assert.fail(`training was skipped: ${result.reason}`);
  return result;
};
const readJson = async (key: string) => JSON.parse(new TextDecoder().decode((await store.get(key))!.body));

after(async () => store.delete(await store.list(prefix)));

describe('train on the real dataset (CO, 1 h ahead)', () => {
  const { table } = preprocess(readDatasetText(), PREPARED_OPTIONS);
  const set = assembleTrainingSet(table, 'co_gt', 1);
  const outcome = trainAndEvaluate(set, request({}));

  it('beats persistence on the holdout with a block-bootstrap CI of the MAE difference below zero', () => {
    const [gbt, arima] = outcome.candidates;
    console.log('holdout MAE', {
      gbt: gbt.holdout.mae,
      arima: arima.holdout.mae,
      persistence: outcome.persistence.mae,
      ci: gbt.vsPersistence,
    });
    assert.equal(outcome.best.fitted.kind, 'gbt');
    assert.ok(gbt.holdout.mae < arima.holdout.mae && gbt.holdout.mae < outcome.persistence.mae);
    assert.ok(outcome.beatsPersistence && gbt.vsPersistence.upper < 0, JSON.stringify(gbt.vsPersistence));
    assert.equal(gbt.vsPersistence.options.blockLength, 24);
  });

  it('scores only holdout hours whose target was observed in the raw data, in the most recent 20 %', () => {
    const raw = parseAirQuality(readDatasetText());
    const rawCo = raw.array('co_gt') as ArrayLike<number | null>;
    const { split } = outcome;
    assert.equal(split.holdoutStart, Math.floor(set.features.rows * 0.8));
    assert.ok(split.trainRows.every((t) => t < split.holdoutStart - 1));
    const scored = split.holdoutRows.filter((_, i) => split.holdoutScored[i]);
    assert.equal(scored.length, outcome.best.vsPersistence.scoredRows);
    // The prepared table and the raw csv share the hourly grid of the source (no hour is missing from it).
    assert.equal(raw.numRows(), set.features.rows);
    for (const t of scored) assert.notEqual(rawCo[t + 1], null, `target at hour ${t + 1} is imputed but scored`);
    const imputedTargets = split.holdoutRows.filter((t) => t + 1 < rawCo.length && rawCo[t + 1] === null).length;
    assert.ok(imputedTargets > 0 && scored.length <= split.holdoutRows.length - imputedTargets);
  });

  it('runs in onnxruntime-node as in process, within 1e-5 on every holdout row, for both models', async () => {
    const holdout = selectRows(set.features, outcome.split.holdoutRows);
    for (const candidate of outcome.candidates) {
      const { fitted } = candidate;
      const bytes =
        fitted.kind === 'gbt' ? gbtToOnnx(fitted.model) : linearForecastToOnnx(fitted.forecast, fitted.columns);
      const session = await InferenceSession.create(bytes);
      const { prediction } = await session.run({
        features: new Tensor('float32', holdout.values as Float32Array, [holdout.rows, holdout.cols]),
      });
      const difference = (prediction.data as Float32Array).reduce(
        (max, v, i) => Math.max(max, Math.abs(v - candidate.outputs[i])),
        0,
      );
      console.log(`${fitted.kind}: max |onnx − in-process| over ${holdout.rows} holdout rows = ${difference}`);
      assert.ok(difference <= 1e-5, `${fitted.kind}: ${difference}`);
    }
  });
});

describe('train publishes to the model registry in MinIO', () => {
  it('writes model, manifest, evaluation, tuning and sample, and promotes a model that beats persistence', async () => {
    const fits: TuningFit[] = [];
    const result = trained(
      await runTraining(
        request({
          source: 'reference',
          lastHours: 3000,
          gbt: { trees: 60 },
          tune: {
            grid: { maxDepth: [2, 4], learningRate: [0.1], subsample: [1], colsample: [1] },
            folds: 2,
            trees: 20,
          },
        }),
        { ...deps('2026-11-24T12:00:00Z'), onTuningFit: (fit) => fits.push(fit) },
      ),
    );
    assert.ok(result.promoted, result.decision);
    const at = registry.versionPrefix('co_gt', 1, result.version);
    assert.deepEqual(
      (await store.list(at)).sort(),
      ['evaluation.json', 'manifest.json', 'model.onnx', 'sample.json', 'tuning.json'].map((f) => `${at}${f}`),
    );
    const manifest = manifestSchema.parse(await readJson(`${at}manifest.json`));
    assert.deepEqual(
      manifest.features.map((f) => f.name),
      featureNames(manifest.featureSpec),
    );
    assert.equal(manifest.trainingWindow.rows, result.trainingRows);
    // The published model is the evaluated one refitted on the holdout too, with the evaluated tree count.
    assert.equal(manifest.refit?.trainingWindow.rows, result.refitRows);
    assert.ok(result.refitRows > result.trainingRows);
    assert.equal(manifest.refit?.trainingWindow.start, manifest.trainingWindow.start);
    assert.ok(manifest.refit!.trainingWindow.end > manifest.trainingWindow.end);
    const lag0 = manifest.features.find((f) => f.name === 'co_gt_lag0')!;
    assert.ok(lag0.count > 0 && lag0.min! >= 0 && lag0.max! > lag0.mean! && lag0.std! > 0);
    assert.deepEqual(manifest.output, { kind: 'change', base: 'co_gt_lag0' });
    const tuning = await readJson(`${at}tuning.json`);
    assert.equal(tuning.candidates.length, 2);
    assert.equal(tuning.folds.length, 2);
    // Each fit of the search was reported as it was scored (the handler logs them).
    assert.deepEqual(
      fits.map((f) => [f.point, f.points, f.fold, f.folds, f.params.maxDepth, f.mae]),
      tuning.candidates.flatMap((c: { params: { maxDepth: number }; foldMae: number[] }, p: number) =>
        c.foldMae.map((mae, k) => [p + 1, 2, k + 1, 2, c.params.maxDepth, mae]),
      ),
    );
    assert.equal(manifest.model.hyperParameters.maxDepth, tuning.best.params.maxDepth);
    const evaluation = await readJson(`${at}evaluation.json`);
    assert.deepEqual(Object.keys(evaluation.candidates).sort(), ['arima', 'gbt']);
    assert.ok(evaluation.onnxMaxAbsDifference <= 1e-5);
    const current = currentPointerSchema.parse(await readJson(registry.currentKey('co_gt', 1)));
    assert.equal(current.version, result.version);
    const loaded = await registry.load('co_gt', 1, result.version);
    assert.equal(loaded.sample.rows[0].features.length, manifest.features.length);
  });

  it('publishes without promoting when asked', async () => {
    const before = await registry.current('co_gt', 1);
    const result = trained(
      await runTraining(
        request({ source: 'reference', lastHours: 2000, models: ['arima'], promote: false }),
        deps('2026-11-24T13:00:00Z'),
      ),
    );
    assert.equal(result.promoted, false);
    assert.equal(result.chosen, 'arima');
    assert.deepEqual((await registry.current('co_gt', 1))?.pointer, before?.pointer);
  });

  it('trains one model on every station of the lake by default, or on stationId alone, honouring the imputed flags; an empty or too short lake is a skipped run', async () => {
    const before = await store.list(prefix);
    const empty = await runTraining(request({}), deps('2026-11-24T14:00:00Z'));
    assert.equal(empty.outcome, 'skipped');
    assert.match(
      (empty as TrainSkipped).reason,
      /^The lake s3:\/\/air-quality\/lake\/test-train-lake-.*\/ holds no readings yet\. Stream readings \(simulate, sink\) first, or train on source "reference"\.$/,
    );
    // 1500 replayed hours of two stations as the sink writes them: Parquet rows below the partition's watermark.
    const { table } = preprocess(readDatasetText(), PREPARED_OPTIONS);
    const replay = datasetRows(table);
    const ts = timestamps(table);
    const readings = Array.from({ length: 1500 }, (_, h) => h).flatMap((h) =>
      ['station-01', 'station-02'].map((stationId, s) =>
        replay.reading({ stationId, sequence: h, rowIndex: 3000 + h + s * 10, observedAtMs: ts[0] + h * HOUR_MS }),
      ),
    );
    const rows: LakeRow[] = readings.map((r, offset) => ({
      eventId: r.eventId,
      stationId: r.stationId,
      sequence: r.sequence,
      observedAt: Date.parse(r.observedAt),
      sourceTime: Date.parse(r.sourceTime),
      readings: r.readings,
      imputed: r.quality.imputed,
      clipped: r.quality.clipped,
      partition: 0,
      offset,
    }));
    // One file per event hour, as the sink writes them (both stations' readings of the hour).
    const limit = pLimit(16);
    await Promise.all(
      Array.from({ length: 1500 }, (_, h) =>
        limit(() =>
          store.put(
            dataFileKey(lakeTopic, 0, 2 * h, rows[2 * h]!.observedAt),
            lakeParquet(rows.slice(2 * h, 2 * h + 2)),
          ),
        ),
      ),
    );
    await advanceWatermark(store, lakeTopic, 0, await readWatermark(store, lakeTopic, 0), rows.length);

    const short = await runTraining(request({ days: 10 }), deps('2026-11-24T14:30:00Z'));
    assert.equal(short.outcome, 'skipped');
    assert.match(
      (short as TrainSkipped).reason,
      / holds 240 hours of station station-01 from .* to .*; training needs at least 500\. Let the stream run longer, or ask for more days\.$/,
    );
    assert.deepEqual(await store.list(prefix), before, 'a skipped run publishes nothing');

    // Usable rows of a station replaying dataset rows first…first+1499 hourly, over hours [from, to): whose
    // target hour was observed and whose own hour had nothing imputed, by the lake's flags. Fitted: origins before
    // the holdout (the last 20 % of the hours, from hour 1200 on) less the horizon; scored: the holdout's.
    const flags = flagLists(table, IMPUTED);
    const usableRows = (first: number, from: number, to: number) =>
      Array.from({ length: to - from }, (_, h) => first + from + h).filter(
        (row) => flags[row].length === 0 && !flags[row + 1].includes('co_gt'),
      );
    const fittedRows = (first: number) => usableRows(first, 0, 1200 - 1);
    const scoredRows = (first: number) => usableRows(first, 1200, 1500 - 1);
    const manifestOf = async (version: string) =>
      manifestSchema.parse(await readJson(`${registry.versionPrefix('co_gt', 1, version)}manifest.json`));

    // By default one model learns from both stations, each station's features from its own readings, with the
    // same cut in time: station-01's and station-02's fitted rows together.
    const pooled = trained(
      await runTraining(request({ gbt: { trees: 40 }, promote: false }), deps('2026-11-24T14:45:00Z')),
    );
    assert.deepEqual((await manifestOf(pooled.version)).source, {
      kind: 'lake',
      origin: `s3://${store.bucket}/lake/${lakeTopic}/ stations station-01, station-02`,
    });
    assert.equal(pooled.trainingRows, fittedRows(3000).length + fittedRows(3010).length);
    assert.equal(pooled.holdout.scoredHours, scoredRows(3000).length + scoredRows(3010).length);

    const result = trained(
      await runTraining(
        request({ stationId: 'station-02', gbt: { trees: 40 }, promote: false }),
        deps('2026-11-24T15:00:00Z'),
      ),
    );
    const manifest = await manifestOf(result.version);
    assert.deepEqual(manifest.source, {
      kind: 'lake',
      origin: `s3://${store.bucket}/lake/${lakeTopic}/ station station-02`,
    });
    const fitted = fittedRows(3010);
    assert.equal(result.trainingRows, fitted.length);
    assert.ok(fitted.length < 1199);
    assert.equal(manifest.trainingWindow.start, new Date(ts[0] + (fitted[0] - 3010) * HOUR_MS).toISOString());
    await store.delete(await store.list(`lake/${lakeTopic}/`));
  });

  it('rejects bad payloads naming the field and what is allowed', () => {
    assert.throws(() => request({ horizon: 48 }), /horizon must be an integer from 1 to 24 \(hours ahead\), got 48/);
    assert.throws(() => request({ target: 'pm25' }), /target must be one of co_gt/);
    assert.throws(() => request({ models: ['xgboost'] }), /models must list some of gbt, arima/);
    assert.throws(() => request({ epochs: 3 }), /unknown field\(s\) epochs/);
    assert.throws(
      () => request({ source: 'reference', stationId: 'station-01' }),
      /stationId selects a station of the lake/,
    );
    assert.throws(() => request({ source: 'reference', days: 30 }), /days sets the window of the lake source/);
    assert.throws(() => request({ days: 0 }), /days must be an integer from 1 to 3660, got 0/);
  });
});
