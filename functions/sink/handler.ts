import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { loadConfig } from '../../shared/config';
import { kafkaEventSchema } from '../../shared/kafka-event';
import { lambdaHandler, logger, metrics } from '../../shared/middleware';
import { S3ObjectStore } from '../../shared/object-store';
import { KafkaMessageProducer } from '../../shared/producer';
import { sink } from './sink';

const config = loadConfig();
const store = new S3ObjectStore(config.s3);
const deadLetters = new KafkaMessageProducer(config.kafka, 'sink');

export const handler = lambdaHandler(kafkaEventSchema, async (event) => {
  // The dead-letter producer connects only when a batch has rejects; it is closed after each invocation so a
  // frozen container never wakes up with a stale connection (and `sls invoke local` exits).
  const partitions = await sink(event, {
    store,
    deadLetters,
    deadLetterTopic: config.topics.deadLetter,
    now: () => performance.now(),
  }).finally(() => deadLetters.disconnect());
  for (const p of partitions) {
    for (const r of p.rejections)
      logger.warn('record rejected', {
        topic: p.topic,
        partition: p.partition,
        offset: r.offset,
        kind: r.kind,
        reason: r.reason,
        deadLetterTopic: config.topics.deadLetter,
      });
    if (p.orphansDeleted > 0)
      logger.warn('deleted files of a failed attempt whose offsets the event source mapping skipped', {
        topic: p.topic,
        partition: p.partition,
        files: p.orphansDeleted,
      });
    if (p.written + p.rejected > 0) metrics.addMetric('FlushLatency', MetricUnit.Milliseconds, p.flushMs);
  }
  const total = (field: 'written' | 'rejected' | 'redelivered' | 'files' | 'bytes') =>
    partitions.reduce((n, p) => n + p[field], 0);
  metrics.addMetric('RecordsWritten', MetricUnit.Count, total('written'));
  metrics.addMetric('RecordsRejected', MetricUnit.Count, total('rejected'));
  metrics.addMetric('RecordsRedelivered', MetricUnit.Count, total('redelivered'));
  metrics.addMetric('FilesWritten', MetricUnit.Count, total('files'));
  metrics.addMetric('BytesWritten', MetricUnit.Bytes, total('bytes'));
  const summary = { partitions: partitions.map(({ rejections: _, ...p }) => p) };
  logger.info('sink done', summary);
  return summary;
});
