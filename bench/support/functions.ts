import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { loadConfig } from '../../shared/config';
import { S3ObjectStore } from '../../shared/object-store';
import { datasetPath } from '../../tests/support/dataset';

/**
 * The functions' environment pointed at a benchmark's own topic (they read their topics from it, so the pipeline's
 * topics are never touched), with the config, store and Lambda context a benchmark calls the handlers with.
 */
export function benchmarkFunctions(name: string) {
  const topic = `bench-${name}-${randomUUID().slice(0, 8)}`;
  Object.assign(process.env, {
    KAFKA_TOPIC_READINGS: topic,
    KAFKA_TOPIC_DLQ: `${topic}.dlq`,
    POWERTOOLS_LOG_LEVEL: 'WARN',
    POWERTOOLS_METRICS_DISABLED: 'true',
    AIR_QUALITY_DATASET: process.env.AIR_QUALITY_DATASET ?? datasetPath(),
  });
  const config = loadConfig();
  const context = {
    awsRequestId: 'bench',
    functionName: 'bench',
    getRemainingTimeInMillis: () => 900_000,
  } as unknown as Context;
  return { topic, config, store: new S3ObjectStore(config.s3), context };
}
