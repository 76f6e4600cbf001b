import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KafkaSelfManagedEventSchema, KafkaMskEventSchema } from '@aws-lambda-powertools/parser/schemas';
import type { KafkaMessage } from 'kafkajs';
import { buildEvent, eventOverheadBytes, jsonBytes, recordJsonBytes, toLambdaRecord } from '../../src/event';

const message = (fields: Partial<KafkaMessage> & { batchContext?: { timestampType: number } }): KafkaMessage =>
  ({
    key: null,
    value: null,
    timestamp: '1700000000000',
    attributes: 0,
    offset: '42',
    headers: {},
    ...fields,
  }) as KafkaMessage;

describe('toLambdaRecord', () => {
  it('encodes key and value in base64 and every header as signed Java bytes, repeated names kept apart', () => {
    const record = toLambdaRecord(
      't',
      2,
      message({
        key: Buffer.from('S1'),
        value: Buffer.from('{"a":1}'),
        headers: { h: [Buffer.from('x'), 'y'], z: Buffer.from([0, 255]) },
      }),
    );
    assert.deepEqual(record, {
      topic: 't',
      partition: 2,
      offset: 42,
      timestamp: 1700000000000,
      timestampType: 'CREATE_TIME',
      key: Buffer.from('S1').toString('base64'),
      value: Buffer.from('{"a":1}').toString('base64'),
      headers: [{ h: [120] }, { h: [121] }, { z: [0, -1] }],
    });
  });

  it('omits a null key and reports LOG_APPEND_TIME from the batch context', () => {
    const record = toLambdaRecord('t', 0, message({ value: Buffer.from('v'), batchContext: { timestampType: 1 } }));
    assert.equal('key' in record, false);
    assert.equal(record.timestampType, 'LOG_APPEND_TIME');
  });
});

describe('buildEvent', () => {
  const records = [0, 1].map((offset) =>
    toLambdaRecord('air', 1, message({ offset: String(offset), key: Buffer.from('k'), value: Buffer.from('{"x":1}') })),
  );

  it('keys records by topic-partition and joins the bootstrap servers; Powertools schemas accept it', () => {
    const event = buildEvent({ eventSource: 'SelfManagedKafka' }, ['a:9092', 'b:9092'], records);
    assert.equal(event.bootstrapServers, 'a:9092,b:9092');
    assert.deepEqual(Object.keys(event.records), ['air-1']);
    const parsed = KafkaSelfManagedEventSchema.parse(event);
    assert.equal(parsed.records['air-1']?.[0]?.value, '{"x":1}');
    const msk = buildEvent(
      { eventSource: 'aws:kafka', eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/c/1' },
      ['a:9092'],
      records,
    );
    assert.equal(KafkaMskEventSchema.parse(msk).eventSourceArn, 'arn:aws:kafka:us-east-1:123456789012:cluster/c/1');
  });

  it('sizes the serialized event exactly as overhead + records + commas', () => {
    const source = { eventSource: 'SelfManagedKafka' } as const;
    const event = buildEvent(source, ['a:9092'], records);
    const expected =
      eventOverheadBytes(source, ['a:9092'], 'air', 1) + jsonBytes(records[0]) + jsonBytes(records[1]) + 1;
    assert.equal(jsonBytes(event), expected);
  });
});

describe('recordJsonBytes', () => {
  it('equals the bytes of the serialized record, whatever its key, value, headers, topic and numbers', () => {
    const cases = [
      toLambdaRecord('air', 0, message({})),
      toLambdaRecord('air', 1, message({ key: Buffer.from('k'), value: Buffer.from('{"x":1}') })),
      toLambdaRecord(
        'tópico.\\"x',
        123,
        message({
          offset: '9007199254740991',
          timestamp: '-1',
          value: Buffer.alloc(1000, 0xff),
          headers: { 'ë"\\name': [Buffer.from([0, 9, 10, 99, 100, 127, 128, 155, 156, 245, 246, 255]), 'x'], e: '' },
          batchContext: { timestampType: 1 },
        }),
      ),
      { ...toLambdaRecord('air', 0, message({ value: Buffer.from('v') })), timestamp: Number.NaN },
    ];
    for (const record of cases) assert.equal(recordJsonBytes(record), jsonBytes(record), JSON.stringify(record));
  });
});
