/**
 * The on-failure records, checked field by field against AWS's documented examples:
 * - Kafka topic: https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure-destination.html, "Failure metadata"
 * - S3: https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure.html, "S3 destination example invocation record"
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LambdaKafkaRecord } from '../../src/event';
import {
  invokedResponse,
  kafkaDestinationMessages,
  localMappingUuid,
  s3DestinationObject,
  s3ObjectKey,
  type Discard,
} from '../../src/on-failure';

// The record and mapping of the Kafka page's example.
const record: LambdaKafkaRecord = {
  topic: 'my-topic',
  partition: 0,
  offset: 100,
  timestamp: 1749116692330,
  timestampType: 'CREATE_TIME',
  key: 'dGVzdC1rZXk=',
  value: 'dGVzdC12YWx1ZQ==',
  headers: [],
};
const discard: Discard = {
  functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:my-function:$LATEST',
  source: {
    eventSource: 'aws:kafka',
    eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/my-cluster/abc123',
  },
  bootstrapServers: ['b-1.mycluster.abc123.kafka.us-east-1.amazonaws.com:9098'],
  reason: 'retries',
  approximateInvokeCount: 3,
  response: invokedResponse(true),
  records: [record],
};
const stamp = { requestId: 'e4b46cbf-b738-xmpl-8880-a18cdf61200e', now: new Date('2019-11-14T18:16:05.568Z') };

describe('Kafka on-failure destination message', () => {
  const [message] = kafkaDestinationMessages(discard, () => stamp);
  const value = JSON.parse(message!.value);

  it('is keyed by the original record key', () => {
    assert.equal(message!.key!.toString(), 'test-key');
    assert.equal(
      kafkaDestinationMessages({ ...discard, records: [{ ...record, key: undefined }] }, () => stamp)[0]!.key,
      null,
    );
  });

  it('has the documented requestContext, responseContext, version and timestamp', () => {
    assert.deepEqual(value.requestContext, {
      requestId: 'e4b46cbf-b738-xmpl-8880-a18cdf61200e',
      functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:my-function:$LATEST',
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
    });
    assert.deepEqual(value.responseContext, {
      statusCode: 200,
      executedVersion: '$LATEST',
      functionError: 'Unhandled',
    });
    assert.equal(value.version, '1.0');
    assert.equal(value.timestamp, '2019-11-14T18:16:05.568Z');
  });

  it('has the documented KafkaBatchInfo, with recordInfo and payloadSize taken from the record itself', () => {
    // The example's recordInfo (a Kinesis-style offset, a 2019 time) does not match its own payload; ours describes the payload.
    assert.deepEqual(value.KafkaBatchInfo, {
      batchSize: 1,
      eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/my-cluster/abc123',
      bootstrapServers: 'b-1.mycluster.abc123.kafka.us-east-1.amazonaws.com:9098',
      payloadSize: Buffer.byteLength(JSON.stringify(value.payload)),
      recordInfo: { offset: '100', timestamp: '2025-06-05T09:44:52.330Z' },
    });
  });

  it('carries the record as the documented one-record event', () => {
    assert.deepEqual(value.payload, {
      bootstrapServers: 'b-1.mycluster.abc123.kafka.us-east-1.amazonaws.com:9098',
      eventSource: 'aws:kafka',
      eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/my-cluster/abc123',
      records: {
        'my-topic-0': [
          {
            headers: [],
            key: 'dGVzdC1rZXk=',
            offset: 100,
            partition: 0,
            timestamp: 1749116692330,
            timestampType: 'CREATE_TIME',
            topic: 'my-topic',
            value: 'dGVzdC12YWx1ZQ==',
          },
        ],
      },
    });
    assert.deepEqual(Object.keys(value), [
      'requestContext',
      'responseContext',
      'version',
      'timestamp',
      'KafkaBatchInfo',
      'payload',
    ]);
  });

  it('names the other conditions; records never invoked have a null responseContext; self-managed Kafka has no ARN', () => {
    const oversized = JSON.parse(
      kafkaDestinationMessages(
        { ...discard, reason: 'payload', approximateInvokeCount: 0, response: null },
        () => stamp,
      )[0]!.value,
    );
    assert.equal(oversized.requestContext.condition, 'MaximumPayloadSizeExceeded');
    assert.equal(oversized.responseContext, null);
    const old = JSON.parse(
      kafkaDestinationMessages(
        { ...discard, reason: 'age', source: { eventSource: 'SelfManagedKafka' } },
        () => stamp,
      )[0]!.value,
    );
    assert.equal(old.requestContext.condition, 'RecordAgeExceeded');
    assert.equal('eventSourceArn' in old.KafkaBatchInfo, false);
    assert.equal(old.payload.eventSource, 'SelfManagedKafka');
  });

  it('writes one message per record, each with its own request id', () => {
    const messages = kafkaDestinationMessages(
      { ...discard, records: [record, { ...record, offset: 101 }] },
      (index) => ({ ...stamp, requestId: `r${index}` }),
    );
    assert.deepEqual(
      messages.map((m) => [
        JSON.parse(m.value).requestContext.requestId,
        JSON.parse(m.value).KafkaBatchInfo.recordInfo.offset,
      ]),
      [
        ['r0', '100'],
        ['r1', '101'],
      ],
    );
  });
});

describe('S3 on-failure destination object', () => {
  const later = { ...record, offset: 102, timestamp: 1749116692999 };
  const object = JSON.parse(s3DestinationObject({ ...discard, records: [record, later] }, stamp));

  it("has the documented fields, the batch's recordsInfo per topic-partition, and the whole event as a JSON string", () => {
    assert.deepEqual(object.requestContext, {
      requestId: stamp.requestId,
      functionArn: discard.functionArn,
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 3,
    });
    assert.deepEqual(object.responseContext, {
      statusCode: 200,
      executedVersion: '$LATEST',
      functionError: 'Unhandled',
    });
    assert.equal(object.version, '1.0');
    assert.equal(object.timestamp, '2019-11-14T18:16:05.568Z');
    assert.equal(typeof object.payload, 'string');
    assert.deepEqual(object.KafkaBatchInfo, {
      batchSize: 2,
      eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/my-cluster/abc123',
      bootstrapServers: 'b-1.mycluster.abc123.kafka.us-east-1.amazonaws.com:9098',
      payloadSize: Buffer.byteLength(object.payload),
      recordsInfo: {
        'my-topic-0': {
          firstRecordOffset: '100',
          lastRecordOffset: '102',
          firstRecordTimestamp: '2025-06-05T09:44:52.330Z',
          lastRecordTimestamp: '2025-06-05T09:44:52.999Z',
        },
      },
    });
    assert.deepEqual(
      JSON.parse(object.payload).records['my-topic-0'].map((r: LambdaKafkaRecord) => r.offset),
      [100, 102],
    );
  });

  it('is named by the documented convention aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<Random UUID>', () => {
    const uuid = localMappingUuid('group', 'fn', 'orders');
    assert.match(uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(localMappingUuid('group', 'fn', 'orders'), uuid);
    assert.notEqual(localMappingUuid('group2', 'fn', 'orders'), uuid);
    assert.equal(
      s3ObjectKey(uuid, 'orders', 3, new Date('2019-11-14T00:38:06.021Z'), 'r-1'),
      `aws/lambda/${uuid}/orders-3/2019/11/14/2019-11-14T00.38.06-r-1`,
    );
  });
});
