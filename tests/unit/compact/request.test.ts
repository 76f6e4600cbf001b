import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compactEventSchema } from '../../../functions/compact/request';

const tick = { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} };

describe('compact request', () => {
  it('reads a schedule tick and an empty event as "every closed day of the readings topic"', () => {
    assert.deepEqual(compactEventSchema.parse(tick), {});
    assert.deepEqual(compactEventSchema.parse(undefined), {});
  });

  it('takes a topic and a before date', () => {
    assert.deepEqual(compactEventSchema.parse({ topic: 'air_quality_data', before: '2026-11-24T00:00:00Z' }), {
      topic: 'air_quality_data',
      before: '2026-11-24T00:00:00Z',
    });
  });

  it('names what is wrong: a date that is not ISO, a bad topic, an unknown field', () => {
    assert.throws(() => compactEventSchema.parse({ before: 'yesterday' }), /before must be an ISO-8601 date-time/);
    assert.throws(() => compactEventSchema.parse({ topic: 'a/b' }), /topic must be a Kafka topic name/);
    assert.throws(() => compactEventSchema.parse({ topics: 'x' }), /unknown field\(s\) topics; allowed: topic, before/);
  });
});
