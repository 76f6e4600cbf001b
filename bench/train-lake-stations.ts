/**
 * `train` on a lake of several stations: one model per station vs one pooled model on every station, both
 * through runTraining against the real MinIO (CO, 1 h ahead, the default request, nothing promoted):
 *   npx tsx bench/train-lake-stations.ts   → bench/results/train-lake-stations.json
 * The lake (60 days × 3 stations, phased as the simulator's replay phases them, one station per partition) is
 * written with the lake's own encoder, one file per partition and day, into a topic of its own deleted afterwards.
 * Every run's holdout is the last 20 % of the same hours, so the per-station holdouts together are the pooled one.
 */
import { randomUUID } from 'node:crypto';
import { HOUR_MS, parseAirQuality } from '@air-quality/preprocessing';
import { trainRequestSchema } from '../functions/train/request';
import { lakeTables, runTraining, type TrainResult, type TrainSkipped } from '../functions/train/run';
import { trainAndEvaluate } from '../functions/train/train';
import { assembleTrainingSet, poolTrainingSets, type TrainingSet } from '../functions/train/training-set';
import { featureMatrix, maeDifferenceInterval } from '@air-quality/forecasting';
import { loadConfig } from '../shared/config';
import { topicPrefix } from '../shared/lake';
import { ModelRegistry } from '../shared/models/registry';
import { S3ObjectStore } from '../shared/object-store';
import { readDatasetText } from '../tests/support/dataset';
import { deletePrefix, readingsFromDataset, writeLake, type PlannedFile } from './support/lake';
import { saveResult } from './support/results';

const DAYS = 60;
const STATIONS = ['station-01', 'station-02', 'station-03'];
const START = Date.UTC(2026, 0, 1);

/** Station s reads dataset row (hour + s × rows/stations), one file a partition-day. */
function* replayedDays(datasetRows: number): Generator<PlannedFile> {
  const phase = Math.floor(datasetRows / STATIONS.length);
  for (const [s, stationId] of STATIONS.entries()) {
    for (let day = 0; day < DAYS; day++) {
      const emissions = Array.from({ length: 24 }, (_, h) => {
        const hour = day * 24 + h;
        return { stationId, sequence: hour, observedAtMs: START + hour * HOUR_MS, rowIndex: hour + s * phase };
      });
      yield { partition: s, startOffset: day * 24, emissions };
    }
  }
}

const trained = (run: TrainResult | TrainSkipped): TrainResult => {
  if (run.outcome === 'skipped') throw new Error(`the training was skipped: ${run.reason}`);
  return run;
};

const figures = (run: TrainResult) => ({
  chosen: run.chosen,
  holdoutMae: Number(run.holdout.model.toFixed(4)),
  persistenceMae: Number(run.holdout.persistence.toFixed(4)),
  ratioToPersistence: Number((run.holdout.model / run.holdout.persistence).toFixed(4)),
  candidates: Object.fromEntries(Object.entries(run.holdout.candidates).map(([k, v]) => [k, Number(v.toFixed(4))])),
  maeDifferenceCi: [run.holdout.maeDifference.lower, run.holdout.maeDifference.upper].map((v) => Number(v.toFixed(4))),
  scoredHours: run.holdout.scoredHours,
  trainingRows: run.trainingRows,
  fitMs: run.durationsMs.fit,
});

/** The pooled set with one 0/1 column per station appended: what a station feature would give the trees. */
function withStationColumns(set: TrainingSet): TrainingSet {
  const { rows, cols, values } = set.features;
  const wide = new Float32Array(rows * (cols + set.seriesCount));
  for (let t = 0; t < rows; t++) {
    wide.set(values.subarray(t * cols, (t + 1) * cols), t * (cols + set.seriesCount));
    wide[t * (cols + set.seriesCount) + cols + set.series[t]] = 1;
  }
  return {
    ...set,
    names: [...set.names, ...STATIONS.slice(0, set.seriesCount).map((s) => `is_${s}`)],
    features: featureMatrix(wide, cols + set.seriesCount),
  };
}

/** Pooled GBT holdout MAE without and with station columns, on the same rows and split. */
async function stationFeature(deps: { store: S3ObjectStore; readingsTopic: string }) {
  const request = trainRequestSchema.parse({ days: DAYS, models: ['gbt'] });
  const loaded = await lakeTables(deps.store, deps.readingsTopic, request);
  if ('outcome' in loaded) throw new Error(`the lake was skipped: ${loaded.reason}`);
  const set = poolTrainingSets(loaded.tables.map((t) => assembleTrainingSet(t, request.target, request.horizon)));
  const without = trainAndEvaluate(set, request);
  const withStation = trainAndEvaluate(withStationColumns(set), request);
  const { holdoutRows, holdoutScored } = without.split;
  const actual = Float64Array.from(holdoutRows, (t) => set.alignment.target[t]);
  const ci = maeDifferenceInterval(withStation.best.levels, without.best.levels, actual, holdoutScored);
  const round = (v: number) => Number(v.toFixed(4));
  return {
    gbtWithout: round(without.best.holdout.mae),
    gbtWithStation: round(withStation.best.holdout.mae),
    ratio: round(withStation.best.holdout.mae / without.best.holdout.mae),
    withMinusWithoutCi: [ci.lower, ci.upper].map(round),
  };
}

async function main(): Promise<void> {
  const store = new S3ObjectStore(loadConfig().s3);
  const topic = `bench-train-stations-${randomUUID().slice(0, 8)}`;
  const modelsPrefix = `bench/train-stations-${randomUUID().slice(0, 8)}/models/`;
  const deps = {
    store,
    registry: new ModelRegistry(store, modelsPrefix),
    readingsTopic: topic,
    now: () => new Date(START + DAYS * 24 * HOUR_MS),
  };
  const train = async (stationId?: string) =>
    figures(trained(await runTraining(trainRequestSchema.parse({ days: DAYS, promote: false, stationId }), deps)));
  try {
    await writeLake(store, topic, replayedDays(parseAirQuality(readDatasetText()).numRows()), readingsFromDataset());
    const perStation: Record<string, ReturnType<typeof figures>> = {};
    for (const station of STATIONS) {
      perStation[station] = await train(station);
      console.log(`${station} alone`, perStation[station]);
    }
    const pooled = await train();
    console.log('pooled', pooled);
    const stationColumns = await stationFeature(deps);
    console.log('pooled GBT without / with station columns', stationColumns);
    // Scored-hour weighted, so it is the per-station models' MAE on the pooled holdout's rows.
    const weighted = (pick: (f: ReturnType<typeof figures>) => number) =>
      Object.values(perStation).reduce((sum, f) => sum + pick(f) * f.scoredHours, 0) /
      Object.values(perStation).reduce((sum, f) => sum + f.scoredHours, 0);
    const perStationModels = {
      holdoutMae: Number(weighted((f) => f.holdoutMae).toFixed(4)),
      persistenceMae: Number(weighted((f) => f.persistenceMae).toFixed(4)),
    };
    const summary = {
      lake: { stations: STATIONS.length, days: DAYS, hoursPerStation: DAYS * 24 },
      busiestStationOnly: perStation[STATIONS[0]],
      perStation,
      perStationModels,
      pooled,
      pooledToPerStationMae: Number((pooled.holdoutMae / perStationModels.holdoutMae).toFixed(4)),
      stationColumns,
    };
    console.log(
      `holdout MAE (CO t+1): busiest station alone ${summary.busiestStationOnly.holdoutMae} (persistence ${summary.busiestStationOnly.persistenceMae}); ` +
        `per-station models ${perStationModels.holdoutMae} (persistence ${perStationModels.persistenceMae}); ` +
        `pooled ${pooled.holdoutMae} (persistence ${pooled.persistenceMae}); pooled / per-station ${summary.pooledToPerStationMae}`,
    );
    saveResult('train-lake-stations', summary);
  } finally {
    await deletePrefix(store, topicPrefix(topic));
    await deletePrefix(store, modelsPrefix);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
