import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { loadConfig } from '../../shared/config';
import { lambdaHandler, logger, metrics } from '../../shared/middleware';
import { S3ObjectStore } from '../../shared/object-store';
import { reportEventSchema, runReport } from './run';

const config = loadConfig();
const store = new S3ObjectStore(config.s3);

export const handler = lambdaHandler(reportEventSchema, async (request) => {
  const run = await runReport(request, { store, topic: config.topics.readings });
  if (run.outcome === 'skipped') {
    // Not an error: the stream has not delivered enough yet. The tick says so and writes nothing.
    metrics.addMetric('ReportSkipped', MetricUnit.Count, 1);
    logger.warn('report skipped', { ...run });
    return run;
  }
  const bytes = run.artifacts.reduce((sum, a) => sum + a.bytes, 0);
  metrics.addMetric('ReportArtifactsWritten', MetricUnit.Count, run.artifacts.length);
  metrics.addMetric('ReportBytesWritten', MetricUnit.Bytes, bytes);
  metrics.addMetric('ReportDuration', MetricUnit.Milliseconds, run.durationMs);
  logger.info('report published', {
    runId: run.runId,
    prefix: run.prefix,
    source: run.source,
    origin: run.origin,
    window: run.window,
    rows: run.rows,
    artifacts: run.artifacts.length,
    bytes,
    durationMs: run.durationMs,
  });
  return run;
});
