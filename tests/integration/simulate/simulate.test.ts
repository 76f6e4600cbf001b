import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Context } from 'aws-lambda';
import { loadConfig } from '../../../shared/config';
import { createKafka } from '../../../shared/kafka';
import { readingSchema } from '../../../shared/schemas/reading';
import { datasetPath } from '../../support/dataset';
import { sls } from '../../support/sls';

process.env.AIR_QUALITY_DATASET ??= datasetPath();
const config = loadConfig();
const kafka = createKafka(config.kafka, 'simulate-test');
const admin = kafka.admin();
const topic = config.topics.readings;

async function endOffsets(): Promise<Map<number, number>> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
}

/** Every message produced to the topic between two offset snapshots. */
async function messagesBetween(from: Map<number, number>, to: Map<number, number>): Promise<{ key: string; value: string }[]> {
  const expected = [...to].reduce((n, [p, high]) => n + high - (from.get(p) ?? 0), 0);
  if (expected === 0) return [];
  const consumer = kafka.consumer({ groupId: `simulate-test-${Date.now()}` });
  const received: { key: string; value: string }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic });
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        if (Number(message.offset) >= (to.get(partition) ?? 0)) return;
        received.push({ key: message.key!.toString(), value: message.value!.toString() });
        if (received.length === expected) resolve();
      },
    });
  });
  for (const [partition, offset] of from) consumer.seek({ topic, partition, offset: String(offset) });
  await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error(`received ${received.length}/${expected}`)), 30_000))]);
  await consumer.disconnect();
  return received;
}

describe('simulate against the real broker', () => {
  before(() => admin.connect());
  after(() => admin.disconnect());

  it('sls invoke local -f simulate --data {"count":10} puts exactly 10 valid messages on the topic', async () => {
    const before = await endOffsets();
    const run = await sls(['invoke', 'local', '-f', 'simulate', '--data', '{"count":10}']);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const after = await endOffsets();
    const messages = await messagesBetween(before, after);
    assert.equal(messages.length, 10);
    for (const m of messages) {
      const reading = readingSchema.parse(JSON.parse(m.value));
      assert.equal(m.key, reading.stationId);
    }
    assert.equal(new Set(messages.map((m) => JSON.parse(m.value).sequence)).size, 10);
  });

  it('rejects bad payloads with a clear error and produces nothing', async () => {
    const { handler } = await import('../../../functions/simulate/handler');
    const before = await endOffsets();
    const context = { awsRequestId: 'test', functionName: 'simulate', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
    const cases: [unknown, RegExp][] = [
      [{ count: -1 }, /count .* from 1 to 100000, got -1/],
      [{ count: 'x' }, /count .* got "x"/],
      [{ mode: 'nope' }, /mode must be .* got "nope"/],
      [{ count: 5, colour: 'red' }, /unknown field\(s\) colour/],
      [{ count: 1_000_000 }, /count .* got 1000000/],
    ];
    for (const [payload, message] of cases) {
      await assert.rejects(handler(payload, context), message);
    }
    const run = await sls(['invoke', 'local', '-f', 'simulate', '--data', '{"count":-1}']);
    assert.notEqual(run.code, 0);
    assert.match(run.stdout + run.stderr, /count \(readings per station\) must be an integer from 1 to 100000, got -1/);
    assert.deepEqual(await endOffsets(), before);
  });
});
