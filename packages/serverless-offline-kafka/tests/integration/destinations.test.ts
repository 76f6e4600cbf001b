/**
 * On-failure destinations at start-up, and an s3:// destination writing AWS's invocation record to the bucket
 * (MinIO here), named as AWS names on-failure objects (https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure.html).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { s3ClientFromEnvironment } from '../../src/destination';
import { localMappingUuid } from '../../src/on-failure';
import { decodedValue, Harness, mappingFor, numbered, produce, suiteTopics, waitFor } from '../support/kafka';
import type { LambdaKafkaEvent } from '../../src/event';

// The local stack's MinIO, unless the environment names another S3 (the worker reads the same variables).
process.env.AWS_ENDPOINT_URL_S3 ??= process.env.S3_ENDPOINT ?? 'http://localhost:9000';
process.env.AWS_ACCESS_KEY_ID ??= 'minioadmin';
process.env.AWS_SECRET_ACCESS_KEY ??= 'minioadmin';
const bucket = process.env.S3_BUCKET ?? 'air-quality';
const s3 = s3ClientFromEnvironment();

describe('on-failure destinations', () => {
  const topics = suiteTopics(2);
  const written: string[] = [];
  after(async () => {
    if (written.length > 0)
      await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: written.map((Key) => ({ Key })) } }));
    s3.destroy();
  });

  it('writes one object per discarded batch with the envelope and the whole event, and moves the partition on', async () => {
    const topic = topics[0]!;
    await produce(
      topic,
      numbered(0, 4).map((message) => ({ ...message, partition: 0 })),
    );
    const harness = new Harness({
      mapping: mappingFor(topic, {
        functionKey: 'sink',
        batchSize: 2,
        maximumBatchingWindowMs: 1000,
        onFailureDestination: { type: 's3', bucket },
        errorHandling: { maximumRetryAttempts: 1 },
      }),
      retry: { initialBackoffMs: 10, maxBackoffMs: 20 },
      handler: async (event: LambdaKafkaEvent) => {
        if (
          Object.values(event.records)
            .flat()
            .some((record) => record.offset === 0)
        )
          throw new Error('poison');
      },
    });
    const prefix = `aws/lambda/${localMappingUuid(harness.mapping.consumerGroupId, 'sink', topic)}/${topic}-0/`;
    await harness.worker.start();
    try {
      await waitFor('records 2..3 handled', () =>
        harness.summaries.some((s) => s.outcome === 'ok' && s.firstOffset === 2),
      );
    } finally {
      await harness.worker.stop();
    }
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    const keys = (listed.Contents ?? []).map((object) => object.Key!);
    written.push(...keys);
    assert.equal(keys.length, 1);
    assert.match(
      keys[0]!.slice(prefix.length),
      /^\d{4}\/\d{2}\/\d{2}\/\d{4}-\d{2}-\d{2}T\d{2}\.\d{2}\.\d{2}-[0-9a-f-]{36}$/,
    );

    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: keys[0]! }));
    const record = JSON.parse(await object.Body!.transformToString());
    assert.equal(record.requestContext.condition, 'RetryAttemptsExhausted');
    assert.equal(record.requestContext.approximateInvokeCount, 2);
    assert.deepEqual(record.responseContext, {
      statusCode: 200,
      executedVersion: '$LATEST',
      functionError: 'Unhandled',
    });
    assert.equal(record.version, '1.0');
    assert.equal(record.KafkaBatchInfo.batchSize, 2);
    assert.deepEqual(Object.keys(record.KafkaBatchInfo.recordsInfo), [`${topic}-0`]);
    assert.equal(record.KafkaBatchInfo.recordsInfo[`${topic}-0`].firstRecordOffset, '0');
    assert.equal(record.KafkaBatchInfo.recordsInfo[`${topic}-0`].lastRecordOffset, '1');
    const payload = JSON.parse(record.payload) as LambdaKafkaEvent;
    assert.deepEqual(
      payload.records[`${topic}-0`]!.map((r) => decodedValue(r)),
      [{ n: 0 }, { n: 1 }],
    );
    assert.equal(record.KafkaBatchInfo.payloadSize, Buffer.byteLength(record.payload));
  });

  it('refuse to start when the bucket is missing, or when the destination is the source topic (AWS refuses that loop)', async () => {
    const topic = topics[1]!;
    const missing = new Harness({
      mapping: mappingFor(topic, { onFailureDestination: { type: 's3', bucket: 'no-such-bucket-offline-kafka' } }),
    });
    await assert.rejects(
      missing.worker.start(),
      /s3:\/\/no-such-bucket-offline-kafka is not reachable at .*create the bucket/,
    );
    const loop = new Harness({ mapping: mappingFor(topic, { onFailureDestination: { type: 'kafka', topic } }) });
    await assert.rejects(
      loop.worker.start(),
      /onFailureDestination kafka:\/\/offline-kafka-test-\w+ is the source topic; AWS refuses that loop/,
    );
  });
});
