/**
 * `sls offline start` right after `npm run stack:up` on a fresh broker: the topics exist, but the group
 * coordinator is still loading __consumer_offsets ("This is not the correct coordinator for this group").
 * The emulator's mapping must wait for it, never fail. Each run formats a new broker in a new directory.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { MappingWorker } from '../../packages/serverless-offline-kafka/src/worker';
import type { LambdaKafkaEvent } from '../../packages/serverless-offline-kafka/src/event';
import { startKafkaBroker } from '../../stack/native-kafka';
import { ManagedProcess } from '../../stack/processes';
import { freePorts } from '../support/secured-kafka';

const noJava = spawnSync('which', ['java']).status !== 0;
const RUNS = 5;
const TOPIC = 'readings';

/** What stack:up does before sls offline start: create the topic once the broker answers, with leaders. */
async function createTopic(brokers: string[]): Promise<void> {
  const admin = new Kafka({ clientId: 'fresh-broker-test', brokers, logLevel: logLevel.NOTHING, retry: { retries: 30, maxRetryTime: 2000 } }).admin();
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

describe('a mapping started right after a fresh broker', { skip: noJava && 'java not found: install Java 17+ to run the native broker' }, () => {
  it(`waits for the group coordinator and then delivers, on ${RUNS} fresh brokers`, { timeout: RUNS * 120_000 }, async () => {
    for (let run = 1; run <= RUNS; run += 1) {
      const dir = mkdtempSync(join(tmpdir(), 'kafka-fresh-'));
      const broker = new ManagedProcess(`kafka-fresh-${run}`, 'kafka.Kafka', { runDir: join(dir, 'run'), logDir: join(dir, 'logs') });
      const [controllerPort, port] = (await freePorts(2)) as [number, number];
      const brokers = [`localhost:${port}`];
      const waited: string[] = [];
      let delivered!: (event: LambdaKafkaEvent) => void;
      const firstEvent = new Promise<LambdaKafkaEvent>((resolve) => (delivered = resolve));
      try {
        await startKafkaBroker({ process: broker, stateDir: dir, controllerPort, listeners: [{ name: 'PLAINTEXT', port, protocol: 'PLAINTEXT' }] });
        await createTopic(brokers);
        const worker = new MappingWorker({
          // LATEST pins its start offsets through the group coordinator: the step that failed on a fresh broker.
          mapping: { functionKey: 'infer', source: { eventSource: 'SelfManagedKafka' }, bootstrapServers: brokers, topic: TOPIC, batchSize: 10, maximumBatchingWindowMs: 0, startingPosition: { type: 'LATEST' }, consumerGroupId: 'infer', filterPatterns: [] },
          handler: async (event) => delivered(event),
          onInvocation: () => undefined,
          warn: (line) => waited.push(line),
        });
        try {
          await assert.doesNotReject(worker.start(), `run ${run}; broker log: ${broker.tail(30)}`);
          await produceOne(brokers);
          const event = await firstEvent;
          assert.equal(Object.values(event.records).flat().length, 1, `run ${run}`);
        } finally {
          await worker.stop();
        }
        console.log(`run ${run}: started${waited.length > 0 ? ` after: ${waited.join(' | ')}` : ' without waiting'}`);
      } finally {
        await broker.stop(10_000);
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});
