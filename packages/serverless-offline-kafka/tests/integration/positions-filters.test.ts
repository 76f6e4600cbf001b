/** Starting positions, resuming a group, and filter patterns against the real broker. */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import {
  committedOffsets,
  endOffsets,
  Harness,
  mappingFor,
  numbered,
  produce,
  suiteTopics,
  waitFor,
} from '../support/kafka';

async function runUntil(harness: Harness, what: string, condition: () => boolean): Promise<void> {
  await harness.worker.start();
  try {
    await waitFor(what, condition);
  } finally {
    await harness.worker.stop();
  }
}

describe('starting positions', () => {
  const topics = suiteTopics(1);

  it('TRIM_HORIZON, LATEST and AT_TIMESTAMP start where Lambda would; a known group resumes', async () => {
    const topic = topics[0]!;
    await produce(topic, numbered(0, 10));
    await sleep(50);
    const between = Date.now();
    await sleep(50);
    await produce(topic, numbered(10, 10));

    const fromStart = new Harness({ mapping: mappingFor(topic) });
    await runUntil(fromStart, '20 records', () => fromStart.received().length === 20);

    const atTimestamp = new Harness({
      mapping: mappingFor(topic, { startingPosition: { type: 'AT_TIMESTAMP', timestampMs: between } }),
    });
    await runUntil(atTimestamp, '10 records', () => atTimestamp.received().length === 10);
    assert.deepEqual(
      atTimestamp.received().sort((a, b) => a - b),
      Array.from({ length: 10 }, (_, i) => 10 + i),
    );

    const latestMapping = mappingFor(topic, { startingPosition: { type: 'LATEST' } });
    const latest = new Harness({ mapping: latestMapping });
    await latest.worker.start();
    try {
      await produce(topic, numbered(20, 5));
      await waitFor('5 new records', () => latest.received().length === 5);
    } finally {
      await latest.worker.stop();
    }
    assert.deepEqual(
      latest.received().sort((a, b) => a - b),
      [20, 21, 22, 23, 24],
    );

    // Same group again, even with another starting position: it resumes after its last commit.
    await produce(topic, numbered(25, 5));
    const resumed = new Harness({ mapping: { ...latestMapping, startingPosition: { type: 'TRIM_HORIZON' } } });
    await runUntil(resumed, '5 records after the commit', () => resumed.received().length === 5);
    assert.deepEqual(
      resumed.received().sort((a, b) => a - b),
      [25, 26, 27, 28, 29],
    );
  });
});

describe('filter patterns', () => {
  const topics = suiteTopics(1);

  it('delivers only matching records and commits the filtered ones', async () => {
    const topic = topics[0]!;
    const values = [
      { n: 0, station: 'S1', co: 1.5 },
      { n: 1, station: 'S2', co: 9 },
      { n: 2, station: 'X9', co: 2 },
      { n: 3, station: 'S3' },
      { n: 4, station: 'S1', co: -200 },
      { n: 5, kind: 'heartbeat' },
    ];
    await produce(topic, [
      ...values.map((value) => ({ value: JSON.stringify(value), partition: 0 })),
      { value: 'not json', partition: 1 },
      { value: JSON.stringify({ n: 6, station: 'X1' }), partition: 2 },
    ]);
    const harness = new Harness({
      mapping: mappingFor(topic, {
        filterPatterns: [
          { value: { station: [{ prefix: 'S' }], co: [{ numeric: ['>=', 0, '<', 5] }] } },
          { value: { station: [{ 'anything-but': { prefix: 'S' } }], co: [{ exists: true }] } },
        ],
      }),
    });
    const high = await endOffsets(topic);
    await harness.worker.start();
    try {
      await waitFor('every partition committed to its end', async () => {
        const committed = await committedOffsets(harness.mapping.consumerGroupId, topic);
        return [...high].every(([partition, offset]) => committed.get(partition) === offset);
      });
    } finally {
      await harness.worker.stop();
    }
    assert.deepEqual(
      harness.received().sort((a, b) => a - b),
      [0, 2],
    );
    assert.ok(harness.summaries.some((summary) => summary.outcome === 'filtered'));
  });
});
