/**
 * Draining a backlog into the lake, ours against the prototype's consumer design, side by side in one run:
 *   - ours: the event source emulator (MappingWorker, from the package's source) invoking the sink handler;
 *   - anchor: bench/anchors/drain_consumer.py (confluent-kafka → pyarrow Parquet ZSTD → MinIO per batch → commit),
 *     in a cached virtualenv (bench/anchors/python.ts; made on first use).
 * The backlog: live readings (the simulator's sample mode, observed now) from many stations on a new 3-partition
 * topic. Each round drains all of it with a fresh consumer group, ours into a fresh lake, the anchor under a fresh
 * prefix; records/s are counted from the first batch in hand to the last one committed.
 *   npx tsx bench/drain.ts [-- <records> <stations> <batchSize> <rounds>]     (defaults 60000 50 5000 3)
 * Prints the figures and writes bench/results/drain.json.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { COLUMN_IDS } from '@air-quality/preprocessing';
import { MappingWorker, type InvocationSummary } from 'serverless-offline-kafka';
import { createKafka } from '../shared/kafka';
import { readLake, topicPrefix } from '../shared/lake';
import { createTopics, deleteTopics, endOffsets } from '../tests/support/kafka';
import { consumerAnchorPython } from './anchors/python';
import { benchmarkFunctions } from './support/functions';
import { saveResult } from './support/results';
import { median } from './support/stats';

const [records = 60_000, stations = 50, batchSize = 5000, rounds = 3] = process.argv.slice(2).map(Number);
const { topic, config, store, context } = benchmarkFunctions('drain');
const anchorPrefix = `bench-drain/${topic}/`;

interface Drained {
  records: number;
  seconds: number;
  recordsPerSecond: number;
  batches: number;
}

/** Ours: the emulator and the sink handler, until every record is committed; then the lake is read back. */
async function drainOurs(round: number): Promise<Drained> {
  const { handler: sink } = await import('../functions/sink/handler');
  let first = 0;
  let last = 0;
  let committed = 0;
  let batches = 0;
  const failures: InvocationSummary[] = [];
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const worker = new MappingWorker({
    mapping: {
      functionKey: 'sink',
      source: { eventSource: 'SelfManagedKafka' },
      bootstrapServers: config.kafka.brokers,
      topic,
      batchSize,
      maximumBatchingWindowMs: 500,
      startingPosition: { type: 'TRIM_HORIZON' },
      consumerGroupId: `${topic}-sink-${round}`,
      filterPatterns: [],
    },
    handler: (event) => {
      first ||= performance.now();
      return sink(event, context);
    },
    // Reported once the batch is committed.
    onInvocation: (summary) => {
      if (summary.outcome !== 'ok') {
        failures.push(summary);
        return;
      }
      committed += summary.records;
      batches += 1;
      last = performance.now();
      if (committed >= records) finished();
    },
  });
  await worker.start();
  await done;
  await worker.stop();
  if (failures.length > 0) throw new Error(`sink invocations did not succeed: ${JSON.stringify(failures)}`);
  const lake = await readLake(store, topic, { from: -Infinity, to: Infinity });
  if (lake.numRows() !== records) throw new Error(`the lake holds ${lake.numRows()} rows, expected ${records}`);
  await store.delete(await store.list(topicPrefix(topic)));
  const seconds = (last - first) / 1000;
  return { records: committed, seconds, recordsPerSecond: Math.round(committed / seconds), batches };
}

/** The anchor: the prototype's consumer design in Python, in its own process. */
async function drainAnchor(round: number): Promise<Drained & { bytes: number }> {
  const python = await consumerAnchorPython();
  const prefix = `${anchorPrefix}round-${round}/`;
  const args = [
    join(__dirname, 'anchors', 'drain_consumer.py'),
    config.kafka.brokers.join(','),
    topic,
    `${topic}-anchor-${round}`,
    String(batchSize),
    String(records),
    config.s3.bucket,
    prefix,
    COLUMN_IDS.join(','),
  ];
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`the Python anchor exited with ${code}`)),
    );
  });
  const result = JSON.parse(output) as { records: number; batches: number; bytes: number; seconds: number };
  const keys = await store.list(prefix);
  if (keys.length !== result.batches) throw new Error(`the anchor wrote ${keys.length} files, said ${result.batches}`);
  await store.delete(keys);
  return { ...result, recordsPerSecond: Math.round(result.records / result.seconds) };
}

async function main(): Promise<void> {
  const kafka = await createKafka(config.kafka, 'bench-drain');
  await createTopics(kafka, [topic, `${topic}.dlq`]);
  try {
    const { handler: simulate } = await import('../functions/simulate/handler');
    await simulate({ mode: 'sample', count: Math.ceil(records / stations), stations, batchSize: 5000 }, context);
    const ends = await endOffsets(kafka, topic);
    const backlog = [...ends.values()].reduce((a, b) => a + b, 0);
    if (backlog !== records) throw new Error(`the backlog holds ${backlog} records, expected ${records}`);
    console.log(
      `backlog: ${records} readings from ${stations} stations on ${topic} (${[...ends.values()].join(' + ')})`,
    );

    const runs = [];
    for (let round = 1; round <= rounds; round++) {
      const ours = await drainOurs(round);
      const anchor = await drainAnchor(round);
      const ratio = Number((ours.recordsPerSecond / anchor.recordsPerSecond).toFixed(2));
      console.log(
        `round ${round}: ours ${ours.recordsPerSecond} records/s (${ours.batches} batches), anchor ${anchor.recordsPerSecond} records/s (${anchor.batches} batches): ${ratio}×`,
      );
      runs.push({ round, ours, anchor, ratio });
    }
    const oursRate = median(runs.map((r) => r.ours.recordsPerSecond));
    const anchorRate = median(runs.map((r) => r.anchor.recordsPerSecond));
    const summary = {
      benchmark: 'drain',
      records,
      stations,
      partitions: ends.size,
      batchSize,
      ours: { what: 'MappingWorker + sink handler (TypeScript)', medianRecordsPerSecond: oursRate },
      anchor: {
        what: 'confluent-kafka → pyarrow Parquet ZSTD → MinIO per batch → commit (Python)',
        medianRecordsPerSecond: anchorRate,
      },
      ratio: Number((oursRate / anchorRate).toFixed(2)),
      runs,
    };
    console.log(`median: ours ${oursRate} records/s, anchor ${anchorRate} records/s, ratio ${summary.ratio}×`);
    saveResult('drain', summary);
  } finally {
    await deleteTopics(kafka, [topic, `${topic}.dlq`]);
    await store.delete(await store.list(anchorPrefix));
    await store.delete(await store.list(topicPrefix(topic)));
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
