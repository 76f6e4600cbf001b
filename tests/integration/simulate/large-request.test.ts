import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Kafka } from 'kafkajs';
import { loadConfig } from '../../../shared/config';
import { createKafka } from '../../../shared/kafka';
import { invocationResult, sls } from '../../../scripts/sls';
import type { SimulateResult } from '../../../functions/simulate/simulate';
import { datasetPath } from '../../support/dataset';
import { createTopics, deleteTopics, endOffsets, messagesBetween } from '../../support/kafka';
import { suiteBucket } from '../../support/own-bucket';

// A topic and a bucket of their own: a running `sls offline start` consumes air_quality_data, and the
// pipeline's cursor (state/simulate.json) must not jump by sequences that never reach its topic.
process.env.AIR_QUALITY_DATASET ??= datasetPath();
const config = suiteBucket(loadConfig());
const topic = `test-simulate-${randomUUID()}`;
let kafka: Kafka;

before(async () => {
  kafka = await createKafka(config.kafka, 'simulate-large-test');
  await createTopics(kafka, [topic]);
});

after(() => deleteTopics(kafka, [topic]));

describe('a large simulate request against the real broker', () => {
  it('10000 readings × 5 stations in batches of 5000 reach the topic complete and in per-station order', async (t) => {
    const request = { count: 10_000, stations: 5, rate: 50_000, batchSize: 5000 };
    const start = await endOffsets(kafka, topic);
    const run = await sls([
      'invoke',
      'local',
      '-f',
      'simulate',
      '--env',
      `KAFKA_TOPIC_READINGS=${topic}`,
      '--env',
      `S3_BUCKET=${config.s3.bucket}`,
      '--data',
      JSON.stringify(request),
    ]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const result = invocationResult<SimulateResult>(run.stdout);
    t.diagnostic(
      `produced ${result.sent} messages in ${result.durationMs} ms (${Math.round(result.messagesPerSecond)} messages/s)`,
    );
    assert.equal(result.topic, topic);
    assert.equal(result.sent, 50_000);

    const messages = await messagesBetween(kafka, topic, start, await endOffsets(kafka, topic), 60_000);
    assert.equal(messages.length, 50_000);
    // A station's messages share one partition; in offset order their sequences must be 0, 1, 2, ...
    const byStation = new Map<string, { offset: bigint; sequence: number }[]>();
    for (const m of messages) {
      const station = m.message.key!.toString();
      const list = byStation.get(station) ?? [];
      list.push({ offset: BigInt(m.message.offset), sequence: JSON.parse(m.message.value!.toString()).sequence });
      byStation.set(station, list);
    }
    assert.equal(byStation.size, 5);
    for (const [station, list] of byStation) {
      const inOffsetOrder = list.sort((a, b) => (a.offset < b.offset ? -1 : 1)).map((m) => m.sequence);
      assert.deepEqual(
        inOffsetOrder,
        Array.from({ length: 10_000 }, (_, i) => i),
        `${station} out of order`,
      );
    }
  });
});
