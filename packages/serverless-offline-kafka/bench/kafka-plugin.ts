/**
 * serverless-offline-kafka benchmark against the real broker (loopback), handler = no-op function:
 *   - throughput: records/s delivered from a backlog, per batch size;
 *   - latency: produce-to-handler time (record timestamp to handler entry), p50/p95, per batch size and window.
 * Prints a table and writes bench/results/kafka-plugin.json.   Run: npm run bench (in this package)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MappingWorker } from '../src/worker';
import { createTopics, kafka, mappingFor, numbered, recordsOf, waitFor } from '../tests/support/kafka';

const BACKLOG = 20_000;
const LATENCY_RECORDS = 300;
const LATENCY_INTERVAL_MS = 10;

/** The p-th percentile (0–100) of ascending values, nearest rank below. */
const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** Keeps the figures as bench/results/kafka-plugin.json, stamped with the (shared, so noisy) machine, Node and date. */
function saveResult(figures: object): void {
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'kafka-plugin.json');
  const machine = { cpu: cpus()[0]?.model, cores: cpus().length, loadAverage1m: Number(loadavg()[0].toFixed(2)) };
  writeFileSync(
    file,
    `${JSON.stringify({ ...figures, ...machine, node: process.version, date: new Date().toISOString() }, null, 2)}\n`,
  );
  console.log(`result written to ${file}`);
}

async function throughput(
  topic: string,
  batchSize: number,
): Promise<{ batchSize: number; records: number; seconds: number; recordsPerSecond: number; invocations: number }> {
  let delivered = 0;
  let invocations = 0;
  let first = 0;
  let last = 0;
  const worker = new MappingWorker({
    mapping: mappingFor(topic, { batchSize, maximumBatchingWindowMs: 0 }),
    handler: async (event) => {
      first ||= performance.now();
      delivered += recordsOf(event).length;
      invocations += 1;
      last = performance.now();
    },
    onInvocation: () => undefined,
  });
  await worker.start();
  try {
    await waitFor(`${BACKLOG} records`, () => delivered >= BACKLOG, 300_000);
  } finally {
    await worker.stop();
  }
  const seconds = (last - first) / 1000;
  return { batchSize, records: delivered, seconds, recordsPerSecond: Math.round(delivered / seconds), invocations };
}

async function latency(
  topic: string,
  batchSize: number,
  windowMs: number,
): Promise<{ batchSize: number; windowMs: number; records: number; p50Ms: number; p95Ms: number }> {
  const latencies: number[] = [];
  const worker = new MappingWorker({
    mapping: mappingFor(topic, { batchSize, maximumBatchingWindowMs: windowMs, startingPosition: { type: 'LATEST' } }),
    handler: async (event) => {
      const now = Date.now();
      for (const record of recordsOf(event)) latencies.push(now - record.timestamp);
    },
    onInvocation: () => undefined,
  });
  await worker.start();
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (let n = 0; n < LATENCY_RECORDS; n += 1) {
      await producer.send({ topic, messages: numbered(n, 1) });
      await sleep(LATENCY_INTERVAL_MS);
    }
    await waitFor(`${LATENCY_RECORDS} records`, () => latencies.length >= LATENCY_RECORDS, 60_000);
  } finally {
    await Promise.all([producer.disconnect(), worker.stop()]);
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    batchSize,
    windowMs,
    records: latencies.length,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
  };
}

async function main(): Promise<void> {
  const { topics, cleanup } = await createTopics(2);
  const [backlogTopic, liveTopic] = topics as [string, string];
  try {
    const producer = kafka.producer();
    await producer.connect();
    for (let from = 0; from < BACKLOG; from += 1000)
      await producer.send({ topic: backlogTopic, messages: numbered(from, 1000) });
    await producer.disconnect();

    const throughputs = [];
    for (const batchSize of [1, 100, 1000]) {
      const result = await throughput(backlogTopic, batchSize);
      console.log(
        `throughput  batchSize ${String(batchSize).padStart(5)}: ${result.recordsPerSecond} records/s (${result.invocations} invocations, ${result.seconds.toFixed(2)} s)`,
      );
      throughputs.push(result);
    }
    const latencies = [];
    for (const [batchSize, windowMs] of [
      [1, 0],
      [100, 0],
      [1000, 0],
      [100, 500],
    ] as const) {
      const result = await latency(liveTopic, batchSize, windowMs);
      console.log(
        `latency     batchSize ${String(batchSize).padStart(5)}, window ${String(windowMs).padStart(3)} ms: p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms`,
      );
      latencies.push(result);
    }
    const result = {
      benchmark: 'kafka-plugin',
      backlogRecords: BACKLOG,
      latencyRecords: LATENCY_RECORDS,
      produceIntervalMs: LATENCY_INTERVAL_MS,
      partitions: 3,
      throughput: throughputs,
      latency: latencies,
    };
    saveResult(result);
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
