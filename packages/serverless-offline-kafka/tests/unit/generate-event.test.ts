import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kafkaConsumer } from '@aws-lambda-powertools/kafka';
import { generateEvent, GenerateEventError, parseRecordsText, type EventOptions } from '../../src/generate-event';
import { AWS_DOCS_MSK_EVENT, AWS_DOCS_SELF_MANAGED_EVENT, NON_ASCII_HEADER } from '../fixtures/aws-events';

const options: EventOptions = { source: 'self-managed', bootstrapServers: 'localhost:9092', now: 1_700_000_000_000 };
const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('generateEvent', () => {
  it("builds the documented self-managed example from its record (event.ts's builders: the emulator's event)", () => {
    const event = generateEvent(
      [
        {
          topic: 'mytopic',
          offset: 15,
          timestamp: 1545084650987,
          key: 'recordKey',
          value: 'Hello, this is a test.',
          headers: [{ headerKey: 'headerValue' }],
        },
      ],
      {
        ...options,
        bootstrapServers: AWS_DOCS_SELF_MANAGED_EVENT.bootstrapServers,
      },
    );
    const sample = AWS_DOCS_SELF_MANAGED_EVENT.records['mytopic-0'][0];
    assert.deepEqual(event, {
      ...AWS_DOCS_SELF_MANAGED_EVENT,
      records: { 'mytopic-0': [{ ...sample, key: b64('recordKey') }] },
    });
  });

  it('builds an MSK event with the cluster ARN', () => {
    const event = generateEvent([{ topic: 'mytopic', value: 'x' }], {
      ...options,
      source: 'msk',
      arn: AWS_DOCS_MSK_EVENT.eventSourceArn,
    });
    assert.deepEqual(
      [event.eventSource, 'eventSourceArn' in event && event.eventSourceArn],
      ['aws:kafka', AWS_DOCS_MSK_EVENT.eventSourceArn],
    );
  });

  it('covers the edge cases: tombstone, null key, signed non-ASCII header, repeated headers, partitions, LOG_APPEND_TIME, JSON values', () => {
    const event = generateEvent(
      [
        { key: 'S1', value: { co: 2.1 }, headers: [{ note: NON_ASCII_HEADER.text }, { tag: 'a' }, { tag: 'b' }] },
        { key: 'S1', value: null },
        { partition: 2, value: 'plain', timestamp: '2026-11-24T10:00:00Z', timestampType: 'LOG_APPEND_TIME' },
        { partition: 2, offset: 9, key: null },
      ],
      { ...options, topic: 'air' },
    );
    assert.deepEqual(Object.keys(event.records), ['air-0', 'air-2']);
    const [first, tombstone] = event.records['air-0']!;
    const [appended, last] = event.records['air-2']!;
    assert.deepEqual(first, {
      topic: 'air',
      partition: 0,
      offset: 0,
      timestamp: options.now,
      timestampType: 'CREATE_TIME',
      key: b64('S1'),
      value: b64('{"co":2.1}'),
      headers: [{ note: NON_ASCII_HEADER.javaBytes }, { tag: [97] }, { tag: [98] }],
    });
    assert.deepEqual([tombstone!.offset, 'value' in tombstone!, tombstone!.key], [1, false, b64('S1')]);
    assert.deepEqual(
      [appended!.offset, appended!.timestamp, appended!.timestampType, 'key' in appended!],
      [0, Date.UTC(2026, 10, 24, 10), 'LOG_APPEND_TIME', false],
    );
    assert.deepEqual([last!.offset, 'key' in last!, 'value' in last!], [9, false, false]);
  });

  it("decodes with Powertools' kafkaConsumer", async () => {
    const event = generateEvent([{ topic: 't', key: 'k', value: { a: 1 }, headers: [{ note: 'ë' }] }], options);
    const handler = kafkaConsumer<unknown, unknown>(
      async ({ records }) => records.map((r) => [r.key, r.value, r.headers]),
      { value: { type: 'json' } },
    );
    assert.deepEqual(await handler(event as Parameters<typeof handler>[0], {} as Parameters<typeof handler>[1]), [
      ['k', { a: 1 }, [{ note: 'ë' }]],
    ]);
  });

  it('refuses bad input, naming the record, the field and the fix', () => {
    const refuses = (specs: unknown[], pattern: RegExp, extra: Partial<EventOptions> = {}) =>
      assert.throws(
        () => generateEvent(specs, { ...options, ...extra }),
        (e: unknown) => e instanceof GenerateEventError && pattern.test(e.message),
      );
    refuses([{ value: 'x' }], /record 1: topic must be a topic name \(or give --topic\)/);
    refuses([{ topic: 't', partition: -1 }], /record 1: partition must be a whole number >= 0, got -1/);
    refuses(
      [
        { topic: 't', offset: 5 },
        { topic: 't', offset: 3 },
      ],
      /record 2: offset must be after the previous record of t-0 \(at least 6\)/,
    );
    refuses([{ topic: 't', headers: { a: 'b' } }], /headers must be a list of \{"name": "text value"\} objects/);
    refuses([{ topic: 't', timestamp: 'yesterday' }], /timestamp must be epoch milliseconds or an ISO-8601 date-time/);
    refuses([{ topic: 't', timestampType: 'NOW' }], /timestampType must be CREATE_TIME or LOG_APPEND_TIME/);
    refuses([{ topic: 't', valu: 'x' }], /unknown field\(s\) valu; allowed: topic, partition/);
    refuses([], /no records given/);
    refuses([{ topic: 't' }], /--source msk needs --arn/, { source: 'msk' });
    refuses([{ topic: 't' }], /--arn names an MSK cluster: use it with --source msk/, {
      arn: AWS_DOCS_MSK_EVENT.eventSourceArn,
    });
    refuses([{ topic: 't' }], /--bootstrap-servers must be host:port/, { bootstrapServers: 'localhost' });
    refuses([{ topic: 't', value: 'x'.repeat(6 * 1024 * 1024) }], /Lambda invokes with at most 6291456 \(6 MB\)/);
  });
});

describe('parseRecordsText', () => {
  it('reads a JSON array, one object, or JSON Lines', () => {
    assert.deepEqual(parseRecordsText('[{"a":1},{"a":2}]', 'f'), [{ a: 1 }, { a: 2 }]);
    assert.deepEqual(parseRecordsText('{\n  "a": 1\n}\n', 'f'), [{ a: 1 }]);
    assert.deepEqual(parseRecordsText('{"a":1}\n\n{"a":2}\n', 'f'), [{ a: 1 }, { a: 2 }]);
    assert.throws(() => parseRecordsText('{"a":1}\n{oops', 'records.jsonl'), /records\.jsonl line 2 is not JSON/);
    assert.throws(() => parseRecordsText('  ', 'f'), /f is empty/);
  });
});
