/**
 * The event for edge-case records that went through the real broker: a non-ASCII header, repeated header names,
 * a tombstone, a null key, and a topic whose broker sets the timestamps (LogAppendTime).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { kafkaConsumer } from '@aws-lambda-powertools/kafka';
import type { LambdaKafkaEvent, LambdaKafkaRecord } from '../../src/event';
import { MappingWorker } from '../../src/worker';
import { kafka, mappingFor, produce, recordsOf, waitFor } from '../support/kafka';

const appendTime = `offline-kafka-test-${randomUUID().slice(0, 8)}`;
const createTime = `offline-kafka-test-${randomUUID().slice(0, 8)}`;

/** The records a mapping of `topic` delivers until `count` have arrived, in delivery order. */
async function delivered(topic: string, count: number): Promise<LambdaKafkaRecord[]> {
  const events: LambdaKafkaEvent[] = [];
  const worker = new MappingWorker({
    mapping: mappingFor(topic),
    warn: () => undefined,
    handler: async (event) => void events.push(event),
  });
  await worker.start();
  try {
    await waitFor(`${count} records of ${topic}`, () => events.flatMap(recordsOf).length === count);
  } finally {
    await worker.stop();
  }
  return events.flatMap(recordsOf);
}

describe('the event of edge-case records from the real broker', () => {
  before(async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: appendTime,
            numPartitions: 1,
            configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }],
          },
          { topic: createTime, numPartitions: 1 },
        ],
      });
    } finally {
      await admin.disconnect();
    }
  });
  after(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [appendTime, createTime] }).finally(() => admin.disconnect());
  });

  it('has signed header bytes, repeated names in order, no value for a tombstone, no key for a null key, and the timestamp type of the topic', async () => {
    const producedAt = '1000';
    const messages = [
      { key: 'S1', value: '{"co":1}', headers: { note: 'ë', tag: ['x', 'y'] }, timestamp: producedAt },
      { key: 'S1', value: null, timestamp: producedAt },
      { key: null, value: '{}', timestamp: producedAt },
    ];
    await produce(appendTime, messages);
    await produce(createTime, messages);
    const [appended, created] = [await delivered(appendTime, 3), await delivered(createTime, 3)];

    for (const records of [appended, created]) {
      const [first, tombstone, unkeyed] = records;
      assert.deepEqual(first!.headers, [{ note: [-61, -85] }, { tag: [120] }, { tag: [121] }]);
      assert.deepEqual(['value' in tombstone!, 'key' in tombstone!], [false, true]);
      assert.deepEqual(['key' in unkeyed!, unkeyed!.value], [false, Buffer.from('{}').toString('base64')]);
    }
    assert.ok(
      appended.every((r) => r.timestampType === 'LOG_APPEND_TIME' && r.timestamp > Number(producedAt)),
      JSON.stringify(appended),
    );
    assert.ok(
      created.every((r) => r.timestampType === 'CREATE_TIME' && r.timestamp === Number(producedAt)),
      JSON.stringify(created),
    );

    const decode = kafkaConsumer<unknown, unknown>(async ({ records }) =>
      records.map((r) => [r.key, r.value, r.headers]),
    );
    const event = { eventSource: 'SelfManagedKafka', bootstrapServers: '', records: { all: appended } };
    assert.deepEqual(
      await decode(event as unknown as Parameters<typeof decode>[0], {} as Parameters<typeof decode>[1]),
      [
        ['S1', '{"co":1}', [{ note: 'ë' }, { tag: 'x' }, { tag: 'y' }]],
        ['S1', undefined, []],
        [undefined, '{}', []],
      ],
    );
  });
});
