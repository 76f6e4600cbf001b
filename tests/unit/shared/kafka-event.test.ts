import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { headerBytes, kafkaEventSchema, partitionsOf, readRecord, recordPosition } from '../../../shared/kafka-event';
import { parsePayload } from '../../../shared/middleware';
import { record } from '../../support/kafka-records';

describe('the Lambda Kafka event', () => {
  it('accepts a Lambda Kafka event with a tombstone and groups records by topic-partition in offset order', () => {
    const event = parsePayload(kafkaEventSchema, {
      eventSource: 'SelfManagedKafka',
      bootstrapServers: 'localhost:29092',
      records: {
        'a-0': [record(5, 'e30=', { topic: 'a' }), record(3, undefined, { topic: 'a' })],
        'a-1': [record(1, 'e30=', { topic: 'a', partition: 1 })],
        'a-2': [],
      },
    });
    assert.deepEqual(
      partitionsOf(event).map((records) => records.map((r) => `${r.partition}@${r.offset}`)),
      [['0@3', '0@5'], ['1@1']],
    );
  });

  it('places a malformed record without failing the event; readRecord then rejects it alone, naming the field', () => {
    const malformed = { topic: 'a', partition: 0, offset: 4, timestamp: 0, value: 42, headers: [{ h: [255] }] };
    const event = parsePayload(kafkaEventSchema, {
      eventSource: 'aws:kafka',
      records: { 'a-0': [record(3, 'e30=', { topic: 'a' }), malformed] },
    });
    const [valid, bad] = partitionsOf(event)[0]!;
    assert.equal(readRecord(valid!).ok, true);
    const read = readRecord(bad!);
    assert.equal(read.ok, false);
    if (read.ok) return;
    assert.match(
      read.reason,
      /^malformed record: value: .*; headers\.0\.h\.0: header bytes are Java bytes, -128\.\.127.*got 255/,
    );
    assert.deepEqual(
      [recordPosition(read.salvaged), read.salvaged.value, read.salvaged.headers],
      ['a-0@4', undefined, []],
    );
  });

  it('reads signed header bytes as Lambda sends them: [-61, -85] is UTF-8 ë', () => {
    const read = readRecord({ ...record(0, 'e30='), headers: [{ note: [-61, -85] }, { note: [120] }] });
    assert.equal(read.ok, true);
    if (read.ok)
      assert.deepEqual(
        read.record.headers.map((h) => headerBytes(h.note!).toString()),
        ['ë', 'x'],
      );
  });

  it('rejects something that is not a Kafka event, naming the field', () => {
    assert.throws(
      () => parsePayload(kafkaEventSchema, { eventSource: 'aws:sqs', records: {} }),
      /eventSource: eventSource must be SelfManagedKafka or aws:kafka/,
    );
    assert.throws(
      () =>
        parsePayload(kafkaEventSchema, {
          eventSource: 'aws:kafka',
          records: { 'a-0': [{ topic: 'a', partition: -1, offset: 0, timestamp: 0 }] },
        }),
      /records\.a-0\.0\.partition/,
    );
  });

  it('the samples in events/ are Lambda-exact: every record as Lambda sends it (timestampType, signed header bytes)', () => {
    for (const file of ['events/sink.json', 'events/infer-kafka.json']) {
      const event = parsePayload(kafkaEventSchema, JSON.parse(readFileSync(join(__dirname, '../../..', file), 'utf8')));
      const records = partitionsOf(event).flat();
      assert.ok(
        records.some((r) => JSON.stringify(r.headers).includes('-')),
        `${file} shows a signed header byte`,
      );
      for (const raw of records) {
        const read = readRecord(raw);
        assert.ok(
          read.ok && read.record.timestampType !== undefined,
          `${file} ${recordPosition(raw)}: ${read.ok ? 'no timestampType' : read.reason}`,
        );
      }
    }
  });
});
