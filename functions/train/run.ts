import {
  CLIPPED,
  COLUMN_IDS,
  IMPUTED,
  TIMESTAMP,
  regularizeHourly,
  type ColumnTable,
} from '@air-quality/preprocessing';
import { loadPreparedDataset } from '../../shared/dataset';
import { lakeEventTimeEnd, readLake, SourceUnavailableError, stationReadings, topicPrefix } from '../../shared/lake';
import type { ModelRegistry } from '../../shared/models/registry';
import type { TuningFit, TuningPoint } from '@air-quality/forecasting';
import type { ObjectStore } from '../../shared/object-store';
import { buildArtifacts, type DataSource } from './artifacts';
import { DEFAULT_TRAIN_DAYS, type TrainRequest } from './request';
import { refitOnAllRows, trainAndEvaluate } from './train';
import { assembleTrainingSet, poolTrainingSets } from './training-set';

export interface TrainDependencies {
  store: ObjectStore;
  registry: ModelRegistry;
  /** The readings topic whose lake files source "lake" trains on. */
  readingsTopic: string;
  now: () => Date;
  /** Told of each fit of a tuning search (`tune`), as it is scored. */
  onTuningFit?: (fit: TuningFit) => void;
  /** Told of each grid point of a tuning search once all its folds are scored. */
  onTuningPoint?: (point: TuningPoint) => void;
}

export interface TrainResult {
  outcome: 'trained';
  version: string;
  location: string;
  promoted: boolean;
  /** Why the version was or was not promoted. */
  decision: string;
  chosen: string;
  holdout: {
    model: number;
    persistence: number;
    candidates: Record<string, number>;
    maeDifference: { difference: number; lower: number; upper: number };
    scoredHours: number;
  };
  onnxMaxAbsDifference: number;
  /** Rows the evaluated model was fitted on. */
  trainingRows: number;
  /** Rows the published model was refitted on (training window and holdout). */
  refitRows: number;
  features: number;
  durationsMs: { load: number; fit: number; refit: number; export: number; publish: number };
}

/** A lake training that found too little to train on: nothing is published, and `reason` says what is missing. */
export interface TrainSkipped {
  outcome: 'skipped';
  source: 'lake';
  origin: string;
  reason: string;
}

/** Fewer hours than this cannot hold a training window and a holdout (the smallest lastHours). */
const MIN_LAKE_HOURS = 500;
const DAY_MS = 24 * 3_600_000;

/** One station's readings as an hourly table; a replay may repeat an hour of a station: its first reading is kept. */
function hourlyTable(readings: ColumnTable, station: string): ColumnTable {
  return regularizeHourly(
    stationReadings(readings, station)
      .rename({ observedAt: TIMESTAMP })
      .select(TIMESTAMP, ...COLUMN_IDS, IMPUTED, CLIPPED),
    { duplicates: 'first' },
  ).table;
}

/**
 * Every station's readings (or `stationId`'s only) from the lake's last `days` days of event time, one hourly
 * table per station: each station is its own series, so its lags and EMAs never mix in another's readings; hours
 * the lake lacks become missing hours, and the upstream imputed flags are kept so imputed targets are never
 * scored. Stations with too few hours to train on are left out. An empty or too short lake is not an error (the
 * stream may just have started): the result says so.
 */
export async function lakeTables(
  store: ObjectStore,
  topic: string,
  { stationId, days = DEFAULT_TRAIN_DAYS }: TrainRequest,
): Promise<{ tables: ColumnTable[]; source: DataSource } | TrainSkipped> {
  const where = `s3://${store.bucket}/${topicPrefix(topic)}`;
  const skipped = (origin: string, reason: string): TrainSkipped => ({
    outcome: 'skipped',
    source: 'lake',
    origin,
    reason,
  });
  const end = await lakeEventTimeEnd(store, topic);
  if (end === undefined)
    return skipped(
      where,
      `The lake ${where} holds no readings yet. Stream readings (simulate, sink) first, or train on source "reference".`,
    );
  const window = { from: end - days * DAY_MS, to: end };
  const span = `from ${new Date(window.from).toISOString()} to ${new Date(window.to).toISOString()}`;
  const all = await readLake(store, topic, window, {
    columns: ['observedAt', 'stationId', ...COLUMN_IDS, IMPUTED, CLIPPED],
  });
  const stations = stationId ? [stationId] : [...new Set(all.array('stationId') as string[])].sort();
  const hourly = stations
    .map((station) => ({ station, table: hourlyTable(all, station) }))
    .filter(({ table }) => table.numRows() > 0);
  if (hourly.length === 0) {
    if (stationId === undefined)
      return skipped(
        where,
        `The lake ${where} holds no readings ${span}. Train on more days, or on source "reference".`,
      );
    throw new SourceUnavailableError(`The lake ${where} holds no readings of station ${stationId} ${span}.`);
  }
  const used = hourly.filter(({ table }) => table.numRows() >= MIN_LAKE_HOURS);
  if (used.length === 0) {
    const longest = hourly.reduce((a, b) => (b.table.numRows() > a.table.numRows() ? b : a));
    return skipped(
      `${where} station ${longest.station}`,
      `The lake ${where} holds ${longest.table.numRows()} hours of station ${longest.station} ${span}; training needs at least ${MIN_LAKE_HOURS}. Let the stream run longer, or ask for more days.`,
    );
  }
  const names = used.map(({ station }) => station).join(', ');
  const origin = `${where} station${used.length > 1 ? 's' : ''} ${names}`;
  return { tables: used.map(({ table }) => table), source: { kind: 'lake', origin } };
}

async function loadSource(
  request: TrainRequest,
  deps: TrainDependencies,
): Promise<{ tables: ColumnTable[]; source: DataSource } | TrainSkipped> {
  if (request.source === 'lake') return lakeTables(deps.store, deps.readingsTopic, request);
  const { table, source } = await loadPreparedDataset(deps.store);
  return { tables: [table], source: { kind: 'reference', origin: source.origin, sha256: source.sha256 } };
}

/** The last `lastHours` hours of a table, or all of it. */
function lastHoursOf(table: ColumnTable, lastHours: number | undefined): ColumnTable {
  const rows = table.numRows();
  return lastHours && lastHours < rows ? table.slice(rows - lastHours) : table;
}

/** Loads the source, fits and evaluates, exports the best model to the registry and promotes it when it beats persistence. */
export async function runTraining(request: TrainRequest, deps: TrainDependencies): Promise<TrainResult | TrainSkipped> {
  const started = performance.now();
  const loaded = await loadSource(request, deps);
  if ('outcome' in loaded) return loaded;
  // One training set per station, pooled: a single model for every station, the model `infer` scores each station's windows with.
  const set = poolTrainingSets(
    loaded.tables.map((table) =>
      assembleTrainingSet(lastHoursOf(table, request.lastHours), request.target, request.horizon),
    ),
  );
  const fitStarted = performance.now();
  const outcome = trainAndEvaluate(set, request, { onFit: deps.onTuningFit, onPoint: deps.onTuningPoint });
  const refitStarted = performance.now();
  const refit = refitOnAllRows(set, outcome.best.fitted);
  const exportStarted = performance.now();
  const artifacts = await buildArtifacts(set, outcome, refit, loaded.source, deps.now());
  const publishStarted = performance.now();
  const current = await deps.registry.current(request.target, request.horizon);
  const location = await deps.registry.publish(artifacts);
  const { best } = outcome;
  const ci = best.vsPersistence;
  const promoted = outcome.beatsPersistence && request.promote;
  let decision: string;
  if (!outcome.beatsPersistence)
    decision = `not promoted: the 95 % CI of MAE(${best.fitted.kind}) − MAE(persistence) is [${ci.lower.toFixed(4)}, ${ci.upper.toFixed(4)}], not below zero`;
  else if (!request.promote) decision = 'not promoted: promote was false';
  else {
    await deps.registry.promote(
      request.target,
      request.horizon,
      { version: artifacts.manifest.version, promotedAt: deps.now().toISOString(), holdoutMae: best.holdout.mae },
      current?.etag,
    );
    decision = `promoted: beats persistence (95 % CI of the MAE difference [${ci.lower.toFixed(4)}, ${ci.upper.toFixed(4)}])${current ? `, replacing ${current.pointer.version}` : ''}`;
  }
  const done = performance.now();
  return {
    outcome: 'trained',
    version: artifacts.manifest.version,
    location: `s3://${deps.store.bucket}/${location}`,
    promoted,
    decision,
    chosen: best.fitted.kind,
    holdout: {
      model: best.holdout.mae,
      persistence: outcome.persistence.mae,
      candidates: Object.fromEntries(outcome.candidates.map((c) => [c.fitted.kind, c.holdout.mae])),
      maeDifference: { difference: ci.difference, lower: ci.lower, upper: ci.upper },
      scoredHours: ci.scoredRows,
    },
    onnxMaxAbsDifference: artifacts.onnxMaxAbsDifference,
    trainingRows: outcome.split.trainRows.length,
    refitRows: refit.rows.length,
    features: set.names.length,
    durationsMs: {
      load: Math.round(fitStarted - started),
      fit: Math.round(refitStarted - fitStarted),
      refit: Math.round(exportStarted - refitStarted),
      export: Math.round(publishStarted - exportStarted),
      publish: Math.round(done - publishStarted),
    },
  };
}
