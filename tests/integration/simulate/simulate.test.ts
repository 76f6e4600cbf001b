import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Context } from 'aws-lambda';
import type { Kafka } from 'kafkajs';
import { loadConfig } from '../../../shared/config';
import { createKafka } from '../../../shared/kafka';
import { readingSchema } from '../../../shared/schemas/reading';
import { datasetPath } from '../../support/dataset';
import { createTopics, deleteTopics, endOffsets, messagesBetween } from '../../support/kafka';
import { suiteBucket } from '../../support/own-bucket';
import { sls } from '../../../scripts/sls';

process.env.AIR_QUALITY_DATASET ??= datasetPath();
// A topic and a bucket of their own: a running `sls offline start` consumes the pipeline's readings topic, and
// the pipeline's cursor (state/simulate.json) must not jump by sequences that never reach it.
const topic = `test-simulate-${randomUUID().slice(0, 8)}`;
process.env.KAFKA_TOPIC_READINGS = topic;
const config = suiteBucket(loadConfig());
// The handler imported below reads them at import.
process.env.S3_BUCKET = config.s3.bucket;
/** `sls invoke local -f simulate` on them (serverless.yml sets the function's topic; --env overrides it). */
const simulate = (data: object) =>
  sls([
    'invoke',
    'local',
    '-f',
    'simulate',
    '--env',
    `KAFKA_TOPIC_READINGS=${topic}`,
    '--env',
    `S3_BUCKET=${config.s3.bucket}`,
    '--data',
    JSON.stringify(data),
  ]);
let kafka: Kafka;
before(async () => {
  kafka = await createKafka(config.kafka, 'simulate-test');
  await createTopics(kafka, [topic]);
});
after(() => deleteTopics(kafka, [topic]));

describe('simulate against the real broker', () => {
  it('sls invoke local -f simulate --data {"count":10} puts exactly 10 valid messages on the topic', async () => {
    const before = await endOffsets(kafka, topic);
    const run = await simulate({ count: 10 });
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const after = await endOffsets(kafka, topic);
    const messages = (await messagesBetween(kafka, topic, before, after)).map((m) => ({
      key: m.message.key!.toString(),
      value: m.message.value!.toString(),
    }));
    assert.equal(messages.length, 10);
    for (const m of messages) {
      const reading = readingSchema.parse(JSON.parse(m.value));
      assert.equal(m.key, reading.stationId);
    }
    assert.equal(new Set(messages.map((m) => JSON.parse(m.value).sequence)).size, 10);
  });

  it('rejects bad payloads and requests over the limits with a clear error, and produces nothing', async () => {
    const { handler } = await import('../../../functions/simulate/handler');
    const before = await endOffsets(kafka, topic);
    const context = {
      awsRequestId: 'test',
      functionName: 'simulate',
      getRemainingTimeInMillis: () => 60_000,
    } as unknown as Context;
    const cases: [unknown, RegExp][] = [
      [{ count: -1 }, /count .* from 1 to 100000, got -1/],
      [{ count: 'x' }, /count .* got "x"/],
      [{ mode: 'nope' }, /mode must be .* got "nope"/],
      [{ count: 5, colour: 'red' }, /unknown field\(s\) colour/],
      [{ count: 1_000_000 }, /count .* got 1000000/],
      // 60 s left: 50 s available for 6000 messages at 100/s (60 s).
      [
        { count: 6000, rate: 100 },
        /6000 messages \(count 6000 × stations 1\) at rate 100\/s need 60 s, but 50 s are available .* Fix: lower count to at most 5000/,
      ],
      [
        { count: 20_000, dryRun: true },
        /A dry run of 20000 messages .* would return about [\d,]+ bytes .* over Lambda's 6,291,456-byte \(6 MB\) limit .* Fix: lower count to at most \d+/,
      ],
    ];
    for (const [payload, message] of cases) {
      await assert.rejects(handler(payload, context), message);
    }
    const run = await simulate({ count: -1 });
    assert.notEqual(run.code, 0);
    assert.match(run.stdout + run.stderr, /count \(readings per station\) must be an integer from 1 to 100000, got -1/);
    assert.deepEqual(await endOffsets(kafka, topic), before);
  });
});
