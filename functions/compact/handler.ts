import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { loadConfig } from '../../shared/config';
import { lambdaHandler, logger, metrics } from '../../shared/middleware';
import { S3ObjectStore } from '../../shared/object-store';
import { compactTopic } from './compact';
import { compactEventSchema } from './request';

const config = loadConfig();
const store = new S3ObjectStore(config.s3);

export const handler = lambdaHandler(compactEventSchema, async (request) => {
  const result = await compactTopic(store, {
    topic: request.topic ?? config.topics.readings,
    before: request.before === undefined ? undefined : Date.parse(request.before),
  });
  metrics.addMetric('DaysCompacted', MetricUnit.Count, result.days.length);
  metrics.addMetric(
    'FilesReplaced',
    MetricUnit.Count,
    result.days.reduce((n, d) => n + d.inputs, 0),
  );
  metrics.addMetric('FilesDeleted', MetricUnit.Count, result.deleted);
  const summary = {
    topic: result.topic,
    days: result.days.length,
    inputs: result.days.reduce((n, d) => n + d.inputs, 0),
    rows: result.days.reduce((n, d) => n + d.rows, 0),
    deleted: result.deleted,
  };
  logger.info('compaction done', summary);
  return { ...summary, compacted: result.days };
});
