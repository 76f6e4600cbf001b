/**
 * At-least-once under handler failures, as AWS's error handling controls define it
 * (https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html): retries, partial batch
 * responses, bisect, record age, and the Kafka on-failure destination.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LambdaKafkaEvent } from '../../src/event';
import {
  committedOffsets,
  decodedValue,
  Harness,
  mappingFor,
  numbered,
  produce,
  recordsOf,
  suiteTopics,
  topicReader,
  waitFor,
} from '../support/kafka';

const fastRetry = { initialBackoffMs: 50, maxBackoffMs: 200 };
const offsetsOf = (event: LambdaKafkaEvent) => recordsOf(event).map((record) => record.offset);
const onPartition0 = (from: number, count: number) =>
  numbered(from, count).map((message) => ({ ...message, partition: 0 }));
const jsonValue = (message: { value: Buffer | null }) => JSON.parse(message.value!.toString());

describe('handler failures', () => {
  const topics = suiteTopics(14);

  it('retries a failing batch with backoff (forever by default), then delivers everything once it succeeds', async () => {
    const topic = topics[0]!;
    await produce(topic, numbered(0, 30));
    let failuresLeft = 3;
    const harness = new Harness({
      mapping: mappingFor(topic, { batchSize: 5 }),
      retry: fastRetry,
      handler: async () => {
        if (failuresLeft-- > 0) throw new Error('database unavailable');
      },
    });
    await harness.worker.start();
    try {
      await waitFor(
        'committed through the end',
        () => harness.summaries.filter((s) => s.outcome === 'ok').reduce((n, s) => n + s.records, 0) === 30,
      );
    } finally {
      await harness.worker.stop();
    }
    const errors = harness.summaries.filter((summary) => summary.outcome === 'error');
    assert.equal(errors.length, 3);
    assert.match(
      errors[0]!.detail!,
      /database unavailable; retrying attempt 2 in 50 ms; the partition is blocked until it succeeds/,
    );
    assert.deepEqual(new Set(harness.received()), new Set(Array.from({ length: 30 }, (_, n) => n)));
    const committed = await committedOffsets(harness.mapping.consumerGroupId, topic);
    assert.equal(
      [...committed.values()].reduce((a, b) => a + b, 0),
      30,
    );
    assert.equal(harness.metricTotal('CommittedEventCount'), 30);
    assert.equal(harness.metricTotal('PolledEventCount'), 30);
    assert.equal(harness.metricTotal('FailedInvokeEventCount'), 15);
  });

  it("redelivers exactly the failed suffix of AWS's documented partial batch response", async () => {
    const topic = topics[1]!;
    await produce(topic, onPartition0(0, 10));
    let first = true;
    const harness = new Harness({
      mapping: mappingFor(topic, { batchSize: 10, maximumBatchingWindowMs: 1000, reportBatchItemFailures: true }),
      retry: fastRetry,
      handler: async () => {
        if (!first) return undefined;
        first = false;
        return {
          batchItemFailures: [
            { itemIdentifier: { partition: `${topic}-0`, offset: 7 } },
            { itemIdentifier: { partition: `${topic}-0`, offset: 4 } },
          ],
        };
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

  it('fails the whole batch for a numeric partition or a bare offset, saying what AWS expects', async () => {
    const topic = topics[2]!;
    await produce(topic, onPartition0(0, 4));
    const responses = [
      { batchItemFailures: [{ itemIdentifier: { partition: 0, offset: 2 } }] },
      { batchItemFailures: [{ itemIdentifier: 2 }] },
    ];
    const harness = new Harness({
      mapping: mappingFor(topic, { batchSize: 4, maximumBatchingWindowMs: 1000, reportBatchItemFailures: true }),
      retry: fastRetry,
      handler: async () => responses.shift(),
    });
    await harness.worker.start();
    try {
      await waitFor('the third attempt to succeed', () => harness.summaries.some((s) => s.outcome === 'ok'));
    } finally {
      await harness.worker.stop();
    }
    assert.deepEqual(harness.events.map(offsetsOf), [
      [0, 1, 2, 3],
      [0, 1, 2, 3],
      [0, 1, 2, 3],
    ]);
    const errors = harness.summaries.filter((s) => s.outcome === 'error');
    assert.equal(errors.length, 2);
    for (const error of errors)
      assert.match(
        error.detail!,
        new RegExp(`names no record of the batch \\(${topic}-0 offsets 0\\.\\.3\\); AWS expects`),
      );
  });

  it('ignores batchItemFailures without ReportBatchItemFailures, as AWS does, and warns once', async () => {
    const topic = topics[3]!;
    await produce(topic, onPartition0(0, 6));
    const warnings: string[] = [];
    const harness = new Harness({
      mapping: mappingFor(topic, { batchSize: 3, maximumBatchingWindowMs: 1000 }),
      warn: (line) => warnings.push(line),
      handler: async (event) => ({
        batchItemFailures: [{ itemIdentifier: { partition: `${topic}-0`, offset: offsetsOf(event)[0] } }],
      }),
    });
    await harness.worker.start();
    try {
      await waitFor(
        'both batches committed',
        async () => (await committedOffsets(harness.mapping.consumerGroupId, topic)).get(0) === 6,
      );
    } finally {
      await harness.worker.stop();
    }
    assert.deepEqual(harness.events.map(offsetsOf), [
      [0, 1, 2],
      [3, 4, 5],
    ]);
    assert.deepEqual(
      harness.summaries.map((s) => s.outcome),
      ['ok', 'ok'],
    );
    assert.match(
      harness.summaries[0]!.detail!,
      /ignored 1 batchItemFailures: the mapping does not enable ReportBatchItemFailures/,
    );
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0]!,
      /AWS ignores them and commits the whole batch.*functionResponseTypes: \[ReportBatchItemFailures\]/,
    );
  });

  it('bisects a failing batch down to the poison record', async () => {
    const topic = topics[4]!;
    await produce(topic, onPartition0(0, 8));
    const harness = new Harness({
      mapping: mappingFor(topic, {
        batchSize: 8,
        maximumBatchingWindowMs: 1000,
        onFailureDestination: { type: 'kafka', topic: topics[5]! },
        errorHandling: { maximumRetryAttempts: 0, bisectBatchOnFunctionError: true },
      }),
      retry: fastRetry,
      handler: async (event) => {
        if (recordsOf(event).some((record) => (decodedValue(record) as { n: number }).n === 5))
          throw new Error('poison');
      },
    });
    await harness.worker.start();
    try {
      await waitFor(
        'all 8 handled',
        () => (harness.summaries.at(-1)?.lastOffset ?? -1) === 7 && harness.summaries.at(-1)?.outcome === 'ok',
      );
    } finally {
      await harness.worker.stop();
    }
    const sizes = harness.events.map((event) => offsetsOf(event).join(','));
    assert.deepEqual(sizes.slice(0, 5), ['0,1,2,3,4,5,6,7', '0,1,2,3', '4,5,6,7', '4,5', '4']);
    assert.ok(
      harness.summaries.some(
        (s) =>
          s.outcome === 'error' && s.detail?.endsWith(`1 records sent to kafka://${topics[5]}`) && s.firstOffset === 5,
      ),
    );
  });

  it("sends records that exhaust the retries to the Kafka destination in AWS's format, keyed as before, and moves on", async () => {
    const [topic, destination] = [topics[6]!, topics[7]!];
    await produce(topic, onPartition0(0, 6));
    const harness = new Harness({
      mapping: mappingFor(topic, {
        functionKey: 'sink',
        batchSize: 2,
        onFailureDestination: { type: 'kafka', topic: destination },
        errorHandling: { maximumRetryAttempts: 2 },
      }),
      retry: fastRetry,
      handler: async (event) => {
        if (offsetsOf(event).includes(2)) throw new Error('cannot parse record 2');
      },
    });
    const reader = await topicReader(destination);
    await harness.worker.start();
    try {
      await waitFor('the partition to move past the poison batch', () =>
        harness.summaries.some((s) => s.outcome === 'ok' && s.firstOffset === 4),
      );
      await waitFor('2 destination messages', () => reader.messages.length === 2);
    } finally {
      await Promise.all([harness.worker.stop(), reader.stop()]);
    }
    assert.deepEqual(
      harness.events.map((event) => offsetsOf(event).join(',')),
      ['0,1', '2,3', '2,3', '2,3', '4,5'],
    );
    // Keyed by the record's key, so they spread over the destination's partitions in no particular order.
    const letters = reader.messages
      .map((message) => ({ key: message.key!.toString(), value: jsonValue(message) }))
      .sort(
        (a, b) => a.value.payload.records[`${topic}-0`][0].offset - b.value.payload.records[`${topic}-0`][0].offset,
      );
    assert.deepEqual(
      letters.map((letter) => letter.key),
      ['k2', 'k3'],
    );
    const [first] = letters;
    assert.deepEqual(
      { ...first!.value.requestContext, requestId: 'id' },
      {
        requestId: 'id',
        functionArn: 'arn:aws:lambda:local:000000000000:function:sink:$LATEST',
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
      },
    );
    assert.deepEqual(first!.value.responseContext, {
      statusCode: 200,
      executedVersion: '$LATEST',
      functionError: 'Unhandled',
    });
    assert.equal(first!.value.KafkaBatchInfo.recordInfo.offset, '2');
    assert.equal(first!.value.KafkaBatchInfo.batchSize, 1);
    assert.deepEqual(decodedValue(first!.value.payload.records[`${topic}-0`][0]), { n: 2 });
    assert.equal(first!.value.payload.eventSource, 'SelfManagedKafka');
    assert.equal((await committedOffsets(harness.mapping.consumerGroupId, topic)).get(0), 6);
    assert.equal(harness.metricTotal('OnFailureDestinationDeliveredEventCount'), 2);
  });

  it('applies 10 retries when retries are infinite and a destination is set, as AWS does', async () => {
    const [topic, destination] = [topics[8]!, topics[9]!];
    await produce(topic, onPartition0(0, 2));
    const harness = new Harness({
      mapping: mappingFor(topic, { batchSize: 1, onFailureDestination: { type: 'kafka', topic: destination } }),
      retry: { initialBackoffMs: 10, maxBackoffMs: 20 },
      handler: async (event) => {
        if (offsetsOf(event).includes(0)) throw new Error('poison');
      },
    });
    const reader = await topicReader(destination);
    await harness.worker.start();
    try {
      await waitFor('record 1 handled', () => harness.summaries.some((s) => s.outcome === 'ok' && s.firstOffset === 1));
      await waitFor('the destination message', () => reader.messages.length === 1);
    } finally {
      await Promise.all([harness.worker.stop(), reader.stop()]);
    }
    assert.deepEqual(
      harness.events.map((event) => offsetsOf(event)[0]),
      [...Array(11).fill(0), 1],
    );
    assert.equal(jsonValue(reader.messages[0]!).requestContext.approximateInvokeCount, 11);
  });

  it('blocks the partition without a destination and with infinite retries, as AWS does, and keeps saying so', async () => {
    const topic = topics[10]!;
    await produce(topic, onPartition0(0, 3));
    const warnings: string[] = [];
    const harness = new Harness({
      mapping: mappingFor(topic, { batchSize: 1 }),
      retry: { initialBackoffMs: 10, maxBackoffMs: 20 },
      blockedWarningIntervalMs: 0,
      warn: (line) => warnings.push(line),
      handler: async () => {
        throw new Error('poison');
      },
    });
    await harness.worker.start();
    try {
      await waitFor('three blocked warnings', () => warnings.length >= 3);
    } finally {
      await harness.worker.stop();
    }
    for (const line of warnings)
      assert.match(
        line,
        new RegExp(
          `kafka λ test ${topic}-0: partition blocked at offset 0 \\(Error: poison; attempt \\d+\\)\\. As in AWS`,
        ),
      );
    assert.ok(
      harness.events.every((event) => offsetsOf(event)[0] === 0),
      'nothing behind the poison record was invoked',
    );
    assert.equal((await committedOffsets(harness.mapping.consumerGroupId, topic)).get(0), -1);
  });

  it('drops records that exhaust finite retries without a destination, as AWS does, and moves on', async () => {
    const topic = topics[11]!;
    await produce(topic, onPartition0(0, 2));
    const harness = new Harness({
      mapping: mappingFor(topic, { batchSize: 1, errorHandling: { maximumRetryAttempts: 1 } }),
      retry: { initialBackoffMs: 10, maxBackoffMs: 20 },
      handler: async (event) => {
        if (offsetsOf(event).includes(0)) throw new Error('poison');
      },
    });
    await harness.worker.start();
    try {
      await waitFor('record 1 handled', () => harness.summaries.some((s) => s.outcome === 'ok' && s.firstOffset === 1));
    } finally {
      await harness.worker.stop();
    }
    assert.deepEqual(
      harness.events.map((event) => offsetsOf(event)[0]),
      [0, 0, 1],
    );
    assert.match(
      harness.summaries[1]!.detail!,
      /retries exhausted after 2 attempts: 1 records dropped \(no onFailureDestination\)/,
    );
    assert.equal(harness.metricTotal('DroppedEventCount'), 1);
  });

  it('sends records older than maximumRecordAgeInSeconds to the destination without invoking them', async () => {
    const [topic, destination] = [topics[12]!, topics[13]!];
    const twoMinutesAgo = String(Date.now() - 120_000);
    await produce(topic, [
      { key: 'old', value: JSON.stringify({ n: 0 }), partition: 0, timestamp: twoMinutesAgo },
      { key: 'new', value: JSON.stringify({ n: 1 }), partition: 0 },
    ]);
    const harness = new Harness({
      mapping: mappingFor(topic, {
        batchSize: 10,
        maximumBatchingWindowMs: 1000,
        onFailureDestination: { type: 'kafka', topic: destination },
        errorHandling: { maximumRecordAgeInSeconds: 60 },
      }),
    });
    const reader = await topicReader(destination);
    await harness.worker.start();
    try {
      await waitFor('the fresh record handled', () => harness.summaries.some((s) => s.outcome === 'ok'));
      await waitFor('the destination message', () => reader.messages.length === 1);
    } finally {
      await Promise.all([harness.worker.stop(), reader.stop()]);
    }
    assert.deepEqual(harness.received(), [1]);
    const letter = jsonValue(reader.messages[0]!);
    assert.equal(reader.messages[0]!.key!.toString(), 'old');
    assert.equal(letter.requestContext.condition, 'RecordAgeExceeded');
    assert.equal(letter.requestContext.approximateInvokeCount, 0);
    assert.equal(letter.responseContext, null);
    assert.equal(letter.KafkaBatchInfo.recordInfo.timestamp, new Date(Number(twoMinutesAgo)).toISOString());
    assert.equal((await committedOffsets(harness.mapping.consumerGroupId, topic)).get(0), 2);
  });
});
