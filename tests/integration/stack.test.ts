import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Kafka, Producer } from 'kafkajs';
import { loadConfig } from '../../shared/config';
import { createKafka } from '../../shared/kafka';
import { ensureBucket, ensureTopics } from '../../stack/provision';
import { deleteTopics, endOffsets, messagesBetween, withAdmin } from '../support/kafka';
import { minioClient } from '../support/minio';

// Topics of this run's own, provisioned as the pipeline's are: a running `sls offline start` consumes the pipeline's
// topics, where a test message would be a poison record for the sink.
const run = randomUUID().slice(0, 8);
const config = loadConfig({
  ...process.env,
  KAFKA_TOPIC_READINGS: `test-stack-readings-${run}`,
  KAFKA_TOPIC_DLQ: `test-stack-readings-${run}.dlq`,
  KAFKA_TOPIC_PREDICTIONS: `test-stack-predictions-${run}`,
});
const { readings, deadLetter, predictions } = config.topics;

describe('local stack', () => {
  let kafka: Kafka;
  let producer: Producer;
  before(async () => {
    kafka = await createKafka(config.kafka, 'stack-test');
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
  });
  after(async () => {
    await producer.disconnect();
    await deleteTopics(kafka, [readings, deadLetter, predictions]);
  });

  it('creates the topics idempotently, each with 3 partitions that all have a leader', async () => {
    assert.deepEqual(await ensureTopics(config), [readings, deadLetter, predictions]);
    assert.deepEqual(await ensureTopics(config), []);
    const { topics } = await withAdmin(kafka, (admin) =>
      admin.fetchTopicMetadata({ topics: [readings, deadLetter, predictions] }),
    );
    assert.equal(topics.length, 3);
    for (const topic of topics) {
      assert.equal(topic.partitions.length, 3, topic.name);
      for (const p of topic.partitions) assert.ok(p.leader >= 0, `${topic.name}-${p.partitionId} has no leader`);
    }
  });

  for (const topicKey of ['readings', 'deadLetter', 'predictions'] as const) {
    it(`round-trips messages on the ${topicKey} topic, on every partition`, async () => {
      const topic = config.topics[topicKey];
      const runId = randomUUID();
      const messages = [0, 1, 2].map((partition) => ({
        partition,
        key: `k${partition}`,
        value: JSON.stringify({ runId, partition }),
        headers: { run: runId },
      }));
      const from = await endOffsets(kafka, topic);
      await producer.send({ topic, messages });
      const received = await messagesBetween(kafka, topic, from, await endOffsets(kafka, topic));
      assert.deepEqual(
        received
          .map(
            (m) => [m.partition, m.message.key?.toString(), JSON.parse(m.message.value!.toString()).partition] as const,
          )
          .sort(([a], [b]) => a - b),
        [
          [0, 'k0', 0],
          [1, 'k1', 1],
          [2, 'k2', 2],
        ],
      );
    });
  }

  it('puts, gets and lists objects in the bucket', async () => {
    await ensureBucket(config);
    const minio = minioClient(config.s3);
    const prefix = `tests/stack/${randomUUID()}/`;
    await minio.putObject(config.s3.bucket, `${prefix}a.txt`, 'alpha');
    await minio.putObject(config.s3.bucket, `${prefix}b.txt`, 'beta');
    const body = await minio.getObject(config.s3.bucket, `${prefix}a.txt`);
    let text = '';
    for await (const chunk of body) text += chunk;
    assert.equal(text, 'alpha');
    const names: string[] = [];
    for await (const item of minio.listObjectsV2(config.s3.bucket, prefix, true)) names.push(item.name!);
    assert.deepEqual(names.sort(), [`${prefix}a.txt`, `${prefix}b.txt`]);
    await minio.removeObjects(config.s3.bucket, names);
  });

  it('keeps the bucket private (anonymous reads are refused)', async () => {
    const response = await fetch(new URL(`/${config.s3.bucket}/`, config.s3.endpoint));
    assert.equal(response.status, 403);
  });
});
