import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { loadConfig } from '../../shared/config';
import { lambdaHandler, logger, metrics } from '../../shared/middleware';
import { ModelRegistry } from '../../shared/models/registry';
import { S3ObjectStore } from '../../shared/object-store';
import { requestOrScheduledEvent } from '../../shared/scheduled-event';
import { trainRequestSchema } from './request';
import { runTraining } from './run';

const config = loadConfig();
const store = new S3ObjectStore(config.s3);
const registry = new ModelRegistry(store);

const elapsedSeconds = (since: number) => Math.round((performance.now() - since) / 100) / 10;

// A bare schedule tick or no event trains with the defaults.
export const handler = lambdaHandler(requestOrScheduledEvent(trainRequestSchema, {}), async (request) => {
  const started = performance.now();
  const result = await runTraining(request, {
    store,
    registry,
    readingsTopic: config.topics.readings,
    now: () => new Date(),
    // A search reports as it goes: one line per fit and per grid point; an untuned run logs only its summary.
    onTuningFit: ({ point, points, fold, folds, params, mae, trees }) =>
      logger.info('tuning fit', {
        gridPoint: `${point}/${points}`,
        fold: `${fold}/${folds}`,
        params,
        mae,
        trees,
        elapsedSeconds: elapsedSeconds(started),
      }),
    onTuningPoint: ({ point, points, params, meanMae, foldTrees }) =>
      logger.info('tuning grid point', {
        gridPoint: `${point}/${points}`,
        params,
        meanMae,
        foldTrees,
        elapsedSeconds: elapsedSeconds(started),
      }),
  });
  if (result.outcome === 'skipped') {
    // Not an error: the stream has not delivered enough yet. The run says so and publishes nothing.
    metrics.addMetric('TrainingSkipped', MetricUnit.Count, 1);
    logger.warn('train skipped', { ...result });
    return result;
  }
  metrics.addDimension('target', `${request.target}_h${request.horizon}`);
  metrics.addMetric('HoldoutMae', MetricUnit.NoUnit, result.holdout.model);
  metrics.addMetric('PersistenceMae', MetricUnit.NoUnit, result.holdout.persistence);
  metrics.addMetric('TrainingDuration', MetricUnit.Milliseconds, result.durationsMs.fit);
  metrics.addMetric('ModelPromoted', MetricUnit.Count, result.promoted ? 1 : 0);
  logger.info('train done', { ...result });
  return result;
});
