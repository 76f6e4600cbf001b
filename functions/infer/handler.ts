import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { loadConfig } from '../../shared/config';
import { lambdaHandler, logger, metrics } from '../../shared/middleware';
import { ModelRegistry } from '../../shared/models/registry';
import { S3ObjectStore } from '../../shared/object-store';
import { KafkaMessageProducer } from '../../shared/producer';
import { inferBatch, readiness } from './infer';
import { ModelCache } from './model-cache';
import { inferEventSchema } from './request';
import { inferSettings } from './settings';
import { WindowStore } from './window-store';

const config = loadConfig();
const settings = inferSettings();
const store = new S3ObjectStore(config.s3);
// Container-wide: the model and the producer connection stay warm between batches.
const models = new ModelCache(new ModelRegistry(store), settings.target, settings.horizon);
const producer = new KafkaMessageProducer(config.kafka, 'infer');
const windows = new WindowStore(store, settings.statePrefix);

/** Releases the container's broker connection; for callers that run the handler in a process that must exit (tests, benchmarks). */
export const close = () => producer.disconnect();

export const handler = lambdaHandler(inferEventSchema, async (event) => {
  if ('dryRun' in event) {
    const report = await readiness(models);
    logger.info('infer dry run', { ...report });
    return report;
  }
  const started = performance.now();
  const summary = await inferBatch(event, {
    models,
    windows,
    store,
    producer,
    predictionsTopic: config.topics.predictions,
    predictionsPrefix: settings.predictionsPrefix,
    driftThreshold: settings.driftThreshold,
  }).finally(async () => {
    // `sls invoke local` (IS_LOCAL) runs one event per process and waits for open sockets; elsewhere the connection stays warm.
    if (process.env.IS_LOCAL === 'true') await close();
  });
  const latencyMs = performance.now() - started;
  if (!summary.modelVersion) {
    logger.warn('no promoted model: batch consumed unscored', {
      target: settings.target,
      horizon: settings.horizon,
      records: summary.records,
      fix: 'invoke train',
    });
    metrics.addMetric('RecordsUnscored', MetricUnit.Count, summary.records);
    return summary;
  }
  if (summary.reloaded) logger.info('model loaded', { modelVersion: summary.modelVersion });
  metrics.addMetric('RowsScored', MetricUnit.Count, summary.scored);
  metrics.addMetric('RecordsSkipped', MetricUnit.Count, summary.skipped.length);
  metrics.addMetric('BatchLatency', MetricUnit.Milliseconds, latencyMs);
  metrics.addMetric('ScoreLatency', MetricUnit.Milliseconds, summary.scoreMs);
  if (summary.skipped.length)
    logger.warn('records skipped', { skipped: summary.skipped.slice(0, 10), total: summary.skipped.length });
  if (summary.drift) {
    metrics.addMetric('DriftMaxAbsZ', MetricUnit.NoUnit, summary.drift.maxAbsZ);
    metrics.addMetric('DriftingFeatures', MetricUnit.Count, summary.drift.drifting);
    if (summary.drift.drifting > 0)
      logger.warn('feature drift', {
        threshold: settings.driftThreshold,
        drifting: summary.drift.drifting,
        worst: summary.drift.worst,
      });
  }
  logger.info('infer batch', {
    modelVersion: summary.modelVersion,
    records: summary.records,
    scored: summary.scored,
    alreadyHandled: summary.alreadyHandled,
    skipped: summary.skipped.length,
    latencyMs: Math.round(latencyMs),
    lakeKeys: summary.lakeKeys,
  });
  return summary;
});
