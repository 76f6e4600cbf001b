import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { seededRandom } from '@air-quality/preprocessing';
import { loadConfig } from '../../shared/config';
import { loadPreparedDataset } from '../../shared/dataset';
import { lambdaHandler, logger, metrics } from '../../shared/middleware';
import { S3ObjectStore } from '../../shared/object-store';
import { KafkaMessageProducer } from '../../shared/producer';
import { checkSendTime, timeLeftMs } from './limits';
import { datasetRows, type DatasetRows } from './messages';
import { readingsQcCsv } from './qc';
import { simulateEventSchema } from './request';
import { simulate } from './simulate';
import { SimulatorStateStore } from './state-store';

const config = loadConfig();
const store = new S3ObjectStore(config.s3);
const producer = new KafkaMessageProducer(config.kafka, 'simulate');
const state = new SimulatorStateStore(store);

// The prepared dataset is loaded once per container; a failed load is retried on the next call.
let rows: Promise<DatasetRows> | undefined;
function loadRows(): Promise<DatasetRows> {
  rows ??= loadPreparedDataset(store).then(({ table, source, report }) => {
    logger.info('dataset ready', {
      origin: source.origin,
      rows: report.rows,
      columnsDropped: report.columnsDropped.map((c) => c.column),
    });
    return datasetRows(table);
  });
  return rows.catch((error) => {
    rows = undefined;
    throw error;
  });
}

export const handler = lambdaHandler(simulateEventSchema, async (request, context) => {
  // Before anything is loaded or reserved: a request that cannot finish is refused at once.
  checkSendTime(request, timeLeftMs(context));
  // One connection per invocation: a tick a minute does not need a warm connection, and a frozen
  // container would otherwise wake up with a stale one (and `sls invoke local` would never exit).
  const result = await simulate(request, {
    rows: await loadRows(),
    state,
    producer,
    topic: config.topics.readings,
    random: seededRandom,
    writeQc: async (readings) => {
      const key = `qc/simulate/${new Date().toISOString().replace(/[:.]/g, '-')}-${context.awsRequestId}.csv`;
      const csv = readingsQcCsv(readings);
      await store.put(key, csv, { contentType: 'text/csv' });
      return { key, csv };
    },
    clock: { now: Date.now, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
    onProgress: (progress) => logger.info('simulate progress', { ...progress }),
  }).finally(() => producer.disconnect());
  metrics.addMetric('MessagesSent', MetricUnit.Count, result.sent);
  metrics.addMetric('SendDuration', MetricUnit.Milliseconds, result.durationMs);
  logger.info('simulate done', {
    mode: result.mode,
    sent: result.sent,
    stations: result.stations,
    partitions: result.partitions,
    durationMs: result.durationMs,
    messagesPerSecond: Math.round(result.messagesPerSecond),
    dryRun: result.dryRun,
  });
  return result;
});
