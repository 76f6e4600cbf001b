/** At-least-once under handler failures: retries, partial batch responses, bisect, the dead-letter topic. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEAD_LETTER_HEADERS } from '../../src/dead-letter';
import type { LambdaKafkaEvent } from '../../src/event';
import { committedOffsets, decodedValue, Harness, kafka, mappingFor, numbered, produce, recordsOf, suiteTopics, waitFor } from '../support/kafka';

const fastRetry = { initialBackoffMs: 50, maxBackoffMs: 200 };
const offsetsOf = (event: LambdaKafkaEvent) => recordsOf(event).map((record) => record.offset);
const onPartition0 = (from: number, count: number) => numbered(from, count).map((message) => ({ ...message, partition: 0 }));

describe('handler failures', () => {
  const topics = suiteTopics(6);

  it('retries a failing batch with backoff, then delivers everything once it succeeds', async () => {
    const topic = topics[0]!;
    await produce(topic, numbered(0, 30));
    let failuresLeft = 3;
    const harness = new Harness({
      mapping: mappingFor(topic, { batchSize: 5 }),
      retry: { ...fastRetry, maximumRetryAttempts: -1 },
      handler: async () => {
        if (failuresLeft-- > 0) throw new Error('database unavailable');
      },
    });
    await harness.worker.start();
    try {
      await waitFor('committed through the end', () => harness.summaries.filter((s) => s.outcome === 'ok').reduce((n, s) => n + s.records, 0) === 30);
    } finally {
      await harness.worker.stop();
    }
    const errors = harness.summaries.filter((summary) => summary.outcome === 'error');
    assert.equal(errors.length, 3);
    assert.match(errors[0]!.detail!, /database unavailable; retrying attempt 2 in 50 ms/);
    assert.deepEqual(new Set(harness.received()), new Set(Array.from({ length: 30 }, (_, n) => n)));
    const committed = await committedOffsets(harness.mapping.consumerGroupId, topic);
    assert.equal([...committed.values()].reduce((a, b) => a + b, 0), 30);
  });

  it('redelivers exactly the failed suffix of a partial batch response', async () => {
    const topic = topics[1]!;
    await produce(topic, onPartition0(0, 10));
    let first = true;
    const harness = new Harness({
      mapping: mappingFor(topic, { batchSize: 10, maximumBatchingWindowMs: 1000 }),
      retry: fastRetry,
      handler: async () => {
        if (!first) return undefined;
        first = false;
        return { batchItemFailures: [{ itemIdentifier: { partition: 0, offset: 7 } }, { itemIdentifier: { partition: 0, offset: 4 } }] };
      },
    });
    await harness.worker.start();
    try {
      await waitFor('the retry to succeed', () => harness.summaries.some((s) => s.outcome === 'ok'));
    } finally {
      await harness.worker.stop();
    }
    assert.deepEqual(harness.events.map(offsetsOf), [
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [4, 5, 6, 7, 8, 9],
    ]);
    assert.equal((await committedOffsets(harness.mapping.consumerGroupId, topic)).get(0), 10);
  });

  it('bisects a failing batch down to the poison record', async () => {
    const topic = topics[2]!;
    await produce(topic, onPartition0(0, 8));
    const harness = new Harness({
      mapping: mappingFor(topic, { batchSize: 8, maximumBatchingWindowMs: 1000, onFailureDestination: { type: 'kafka', topic: topics[5]! } }),
      retry: { ...fastRetry, maximumRetryAttempts: 0, bisectBatchOnFunctionError: true },
      handler: async (event) => {
        if (recordsOf(event).some((record) => (decodedValue(record) as { n: number }).n === 5)) throw new Error('poison');
      },
    });
    await harness.worker.start();
    try {
      await waitFor('all 8 handled', () => (harness.summaries.at(-1)?.lastOffset ?? -1) === 7 && harness.summaries.at(-1)?.outcome === 'ok');
    } finally {
      await harness.worker.stop();
    }
    const sizes = harness.events.map((event) => offsetsOf(event).join(','));
    console.log(`bisect: invocations ${sizes.map((s) => `[${s}]`).join(' ')}`);
    assert.deepEqual(sizes.slice(0, 5), ['0,1,2,3,4,5,6,7', '0,1,2,3', '4,5,6,7', '4,5', '4']);
    assert.ok(harness.summaries.some((s) => s.outcome === 'error' && /1 records sent to/.test(s.detail ?? '') && s.firstOffset === 5));
  });

  it('sends records that exhaust the retries to the on-failure topic and moves the partition on', async () => {
    const [topic, deadLetterTopic] = [topics[3]!, topics[4]!];
    await produce(topic, onPartition0(0, 6));
    const harness = new Harness({
      mapping: mappingFor(topic, { functionKey: 'sink', batchSize: 2, onFailureDestination: { type: 'kafka', topic: deadLetterTopic } }),
      retry: { ...fastRetry, maximumRetryAttempts: 2 },
      handler: async (event) => {
        if (offsetsOf(event).includes(2)) throw new Error('cannot parse record 2');
      },
    });
    const deadLetters: { value: string; headers: Record<string, string> }[] = [];
    const reader = kafka.consumer({ groupId: `${topic}-dlq-reader` });
    await reader.connect();
    await reader.subscribe({ topic: deadLetterTopic, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]));
        deadLetters.push({ value: message.value!.toString(), headers });
      },
    });
    await harness.worker.start();
    try {
      await waitFor('the partition to move past the poison batch', () => harness.summaries.some((s) => s.outcome === 'ok' && s.firstOffset === 4));
      await waitFor('2 dead letters', () => deadLetters.length === 2);
    } finally {
      await Promise.all([harness.worker.stop(), reader.disconnect()]);
    }
    assert.deepEqual(
      harness.events.map((event) => offsetsOf(event).join(',')),
      ['0,1', '2,3', '2,3', '2,3', '4,5'],
    );
    // The dead letters keep their keys, so they spread over the DLQ's partitions in no particular order.
    deadLetters.sort((a, b) => JSON.parse(a.value).n - JSON.parse(b.value).n);
    assert.deepEqual(deadLetters.map((letter) => JSON.parse(letter.value).n), [2, 3]);
    assert.deepEqual(deadLetters[0]!.headers, {
      [DEAD_LETTER_HEADERS.function]: 'sink',
      [DEAD_LETTER_HEADERS.error]: 'Error: cannot parse record 2',
      [DEAD_LETTER_HEADERS.attempts]: '3',
      [DEAD_LETTER_HEADERS.topic]: topic,
      [DEAD_LETTER_HEADERS.partition]: '0',
      [DEAD_LETTER_HEADERS.offset]: '2',
    });
    assert.equal((await committedOffsets(harness.mapping.consumerGroupId, topic)).get(0), 6);
  });
});
