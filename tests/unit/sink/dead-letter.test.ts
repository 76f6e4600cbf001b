import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deadLetterMessage } from '../../../functions/sink/dead-letter';
import { record } from '../../support/kafka-records';

describe('deadLetterMessage', () => {
  it('keeps the key, the original text and headers (signed Java bytes decoded, a repeated name in order), and states the reason and the source position', () => {
    const source = {
      ...record(17, Buffer.from('{oops').toString('base64'), {
        topic: 'air_quality_data',
        partition: 2,
        key: 'station-01',
      }),
      headers: [{ trace: [...Buffer.from('abc')] }, { note: [-61, -85] }, { trace: [...Buffer.from('def')] }] as Record<
        string,
        number[]
      >[],
    };
    assert.deepEqual(deadLetterMessage({ record: source, kind: 'json', reason: 'value is not JSON: x' }), {
      key: 'station-01',
      value: '{oops',
      headers: {
        trace: ['abc', 'def'],
        note: 'ë',
        'x-sink-rejection': 'json',
        'x-sink-reason': 'value is not JSON: x',
        'x-sink-source-topic': 'air_quality_data',
        'x-sink-source-partition': '2',
        'x-sink-source-offset': '17',
        'x-sink-value-encoding': 'utf8',
      },
    });
  });

  it('passes a value that is not text on as delivered, in base64, and says so', () => {
    const binary = Buffer.from([0xff, 0x00, 0x80]).toString('base64');
    const message = deadLetterMessage({ record: record(1, binary, { key: 'k' }), kind: 'utf8', reason: 'r' });
    assert.equal(message.value, binary);
    assert.equal(message.headers!['x-sink-value-encoding'], 'base64');
    const garbage = deadLetterMessage({ record: record(2, '%%%', { key: 'k' }), kind: 'base64', reason: 'r' });
    assert.deepEqual([garbage.value, garbage.headers!['x-sink-value-encoding']], ['%%%', 'base64']);
  });
});
