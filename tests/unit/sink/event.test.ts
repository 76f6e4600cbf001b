import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kafkaEventSchema, partitionsOf } from '../../../functions/sink/event';
import { parsePayload } from '../../../shared/middleware';
import { record } from '../../support/kafka-records';

describe('the sink event', () => {
  it('accepts a Lambda Kafka event with a tombstone and groups records by topic-partition in offset order', () => {
    const event = parsePayload(kafkaEventSchema, {
      eventSource: 'SelfManagedKafka',
      bootstrapServers: 'localhost:29092',
      records: { 'a-0': [record(5, 'e30=', { topic: 'a' }), record(3, undefined, { topic: 'a' })], 'a-1': [record(1, 'e30=', { topic: 'a', partition: 1 })], 'a-2': [] },
    });
    assert.deepEqual(
      partitionsOf(event).map((records) => records.map((r) => `${r.partition}@${r.offset}`)),
      [['0@3', '0@5'], ['1@1']],
    );
  });

  it('rejects something that is not a Kafka event, naming the field', () => {
    assert.throws(() => parsePayload(kafkaEventSchema, { eventSource: 'aws:sqs', records: {} }), /eventSource: eventSource must be SelfManagedKafka or aws:kafka/);
    assert.throws(() => parsePayload(kafkaEventSchema, { eventSource: 'aws:kafka', records: { 'a-0': [{ topic: 'a', partition: -1, offset: 0, timestamp: 0 }] } }), /records\.a-0\.0\.partition/);
  });
});
