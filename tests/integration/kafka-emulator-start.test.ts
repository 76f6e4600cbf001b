/**
 * `sls offline start` right after `npm run stack:up` on a fresh broker: the topics exist, but the group
 * coordinator is still loading __consumer_offsets ("This is not the correct coordinator for this group").
 * The emulator's mapping must wait for it, never fail. Each run formats a new broker in a new directory.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { MappingWorker, type LambdaKafkaEvent } from 'serverless-offline-kafka';
import { freshBroker, noJavaReason } from '../support/fresh-kafka';

const RUNS = 5;
const TOPIC = 'readings';

/** What stack:up does before sls offline start: create the topic once the broker answers, with leaders. */
async function createTopic(brokers: string[]): Promise<void> {
  const admin = new Kafka({
    clientId: 'fresh-broker-test',
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 30, maxRetryTime: 2000 },
  }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: 2 }] });
  } finally {
    await admin.disconnect();
  }
}

async function produceOne(brokers: string[]): Promise<void> {
  const producer = new Kafka({ clientId: 'fresh-broker-test', brokers, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  try {
    await producer.send({ topic: TOPIC, messages: [{ key: 'k', value: '{"n":1}' }] });
  } finally {
    await producer.disconnect();
  }
}

/** A LATEST mapping (it pins its start offsets through the group coordinator: the step that failed) and its first event. */
function inferWorker(brokers: string[]) {
  const waited: string[] = [];
  let delivered!: (event: LambdaKafkaEvent) => void;
  const firstEvent = new Promise<LambdaKafkaEvent>((resolve) => (delivered = resolve));
  let waiting!: () => void;
  const firstWait = new Promise<void>((resolve) => (waiting = resolve));
  const worker = new MappingWorker({
    mapping: {
      functionKey: 'infer',
      source: { eventSource: 'SelfManagedKafka' },
      bootstrapServers: brokers,
      topic: TOPIC,
      batchSize: 10,
      maximumBatchingWindowMs: 0,
      startingPosition: { type: 'LATEST' },
      consumerGroupId: 'infer',
      filterPatterns: [],
    },
    handler: async (event) => delivered(event),
    onInvocation: () => undefined,
    warn: (line) => {
      waited.push(line);
      waiting();
    },
  });
  return { worker, waited, firstEvent, firstWait };
}

/** The mapping runs: a record produced now reaches the handler. */
async function assertDelivers(brokers: string[], firstEvent: Promise<LambdaKafkaEvent>, what: string): Promise<void> {
  await produceOne(brokers);
  assert.equal(Object.values((await firstEvent).records).flat().length, 1, what);
}

describe('a mapping started right after a fresh broker', { skip: noJavaReason }, () => {
  it(`waits for the broker and its group coordinator, then delivers, on ${RUNS} fresh brokers`, {
    timeout: RUNS * 120_000,
  }, async () => {
    for (let run = 1; run <= RUNS; run += 1) {
      const broker = await freshBroker(`kafka-fresh-${run}`);
      try {
        await broker.start();
        await createTopic(broker.brokers);
        const { worker, waited, firstEvent } = inferWorker(broker.brokers);
        try {
          await assert.doesNotReject(worker.start(), `run ${run}; broker log: ${broker.process.tail(30)}`);
          await assertDelivers(broker.brokers, firstEvent, `run ${run}`);
        } finally {
          await worker.stop();
        }
        console.log(`run ${run}: started${waited.length > 0 ? ` after: ${waited.join(' | ')}` : ' without waiting'}`);
      } finally {
        await broker.remove();
      }
    }
  });

  it('started before the broker is up, waits for it and for its first group coordinator', {
    timeout: 180_000,
  }, async () => {
    const broker = await freshBroker('kafka-fresh-late');
    try {
      // The topic exists (as after stack:up), but no group was ever coordinated: __consumer_offsets is created on the first lookup.
      await broker.start();
      await createTopic(broker.brokers);
      await broker.process.stop(10_000);
      const { worker, waited, firstEvent, firstWait } = inferWorker(broker.brokers);
      const started = worker.start();
      try {
        // Gate: the worker has found no broker and is waiting; only then does the broker start.
        await firstWait;
        await broker.start();
        await assert.doesNotReject(started, `broker log: ${broker.process.tail(30)}`);
        await assertDelivers(broker.brokers, firstEvent, 'after a late broker');
      } finally {
        await worker.stop();
      }
      assert.match(
        waited[0]!,
        /kafka λ infer: waiting for the broker at localhost:\d+ \(.*ECONNREFUSED.*\); 0 s of 60 s/,
      );
      console.log(`started after: ${waited.join(' | ')}`);
    } finally {
      await broker.remove();
    }
  });
});
