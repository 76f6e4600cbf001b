import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KafkaConfigError, readMappings } from '../../src/config';

const service = (functions: Record<string, { events?: Record<string, unknown>[] }>) => ({ service: 'svc', stage: 'local', functions });
const kafka = (fields: Record<string, unknown>) => ({ kafka: { topic: 't', bootstrapServers: ['b:9092'], ...fields } });

describe('readMappings', () => {
  it('applies the osls and Lambda defaults to a kafka event', () => {
    const { mappings } = readMappings(service({ sink: { events: [kafka({}), { schedule: 'rate(1 minute)' }] } }));
    assert.deepEqual(mappings, [
      {
        functionKey: 'sink',
        source: { eventSource: 'SelfManagedKafka' },
        bootstrapServers: ['b:9092'],
        topic: 't',
        batchSize: 100,
        maximumBatchingWindowMs: 500,
        startingPosition: { type: 'TRIM_HORIZON' },
        consumerGroupId: 'svc-local-sink-t',
        filterPatterns: [],
      },
    ]);
  });

  it('reads every setting, AT_TIMESTAMP in seconds, and a kafka:// destination', () => {
    const [mapping] = readMappings(
      service({ f: { events: [kafka({ batchSize: 7, maximumBatchingWindow: 2, startingPosition: 'AT_TIMESTAMP', startingPositionTimestamp: 1700000000, consumerGroupId: 'g', onFailureDestination: 'kafka://dlq' })] } }),
    ).mappings;
    assert.equal(mapping!.batchSize, 7);
    assert.equal(mapping!.maximumBatchingWindowMs, 2000);
    assert.deepEqual(mapping!.startingPosition, { type: 'AT_TIMESTAMP', timestampMs: 1700000000000 });
    assert.equal(mapping!.consumerGroupId, 'g');
    assert.deepEqual(mapping!.onFailureDestination, { type: 'kafka', topic: 'dlq' });
  });

  it('skips disabled events and gives two mappings of one function on one topic their own groups', () => {
    const { mappings } = readMappings(service({ f: { events: [kafka({}), kafka({ enabled: false }), kafka({})] } }));
    assert.deepEqual(mappings.map((m) => m.consumerGroupId), ['svc-local-f-t', 'svc-local-f-t-2']);
  });

  it('reads msk events with the local broker override and the cluster ARN', () => {
    const events = [{ msk: { arn: 'arn:aws:kafka:us-east-1:1:cluster/c/1', topic: 't' } }];
    assert.throws(() => readMappings(service({ f: { events } })), (e: Error) => e instanceof KafkaConfigError && /custom.serverless-offline-kafka.bootstrapServers/.test(e.message));
    const [mapping] = readMappings(service({ f: { events } }), { bootstrapServers: 'localhost:29092, other:9092' }).mappings;
    assert.deepEqual(mapping!.source, { eventSource: 'aws:kafka', eventSourceArn: 'arn:aws:kafka:us-east-1:1:cluster/c/1' });
    assert.deepEqual(mapping!.bootstrapServers, ['localhost:29092', 'other:9092']);
  });

  it('falls back to the local default DLQ for a destination that only exists in the cloud, and says so', () => {
    const events = [kafka({ onFailureDestination: 'arn:aws:sqs:us-east-1:1:q' })];
    const { mappings, warnings } = readMappings(service({ f: { events } }), { defaultOnFailureDestination: 'kafka://local.dlq' });
    assert.deepEqual(mappings[0]!.onFailureDestination, { type: 'kafka', topic: 'local.dlq' });
    assert.match(warnings[0]!, /cannot be reached locally; using kafka:\/\/local.dlq/);
  });

  it('names the event and the fix for invalid settings', () => {
    assert.throws(() => readMappings(service({ f: { events: [kafka({ startingPosition: 'AT_TIMESTAMP' })] } })), /functions.f.events\[0\].kafka: startingPosition AT_TIMESTAMP needs startingPositionTimestamp/);
    assert.throws(() => readMappings(service({ f: { events: [kafka({ batchSize: 20000 })] } })), /batchSize 20000 must be an integer from 1 to 10000/);
    assert.throws(() => readMappings(service({ f: { events: [kafka({ maximumBatchingWindow: 0.5 })] } })), /maximumBatchingWindow 0.5 must be whole seconds from 0 to 300, as Lambda accepts; omit it/);
    assert.throws(() => readMappings(service({ f: { events: [kafka({ maximumBatchingWindow: 301 })] } })), /maximumBatchingWindow 301 must be whole seconds/);
    assert.throws(() => readMappings(service({ f: { events: [kafka({ filterPatterns: [{ value: { a: [{ wildcard: '*' }] } }] })] } })), /filterPatterns: value.a: operator "wildcard" is not supported/);
    assert.throws(() => readMappings(service({ f: { events: [kafka({})] } }), { defaultOnFailureDestination: 'sqs' }), /must look like kafka:\/\/<topic>/);
  });
});
