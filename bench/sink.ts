/**
 * sink benchmark against the real MinIO (loopback): one partition's batches of BATCH records, Lambda-shaped.
 *   - live: readings observed within one hour (the simulator's sample mode) → one Parquet file per batch;
 *   - replay: 3 stations stepping one hour per reading (replay mode) → one file per hour, i.e. many small files.
 * For each: decode + plan time (pure), Parquet encoding time, the whole sinkPartition (files, watermark) and
 * its records/s, files and bytes per batch, a full redelivery of a batch, and reading it all back with readLake.
 * Prints a table and writes bench/results/sink.json.   Run: npx tsx bench/sink.ts
 */
import { randomUUID } from 'node:crypto';
import { sinkPartition } from '../functions/sink/sink';
import { planPartition } from '../functions/sink/plan';
import type { KafkaRecord } from '../shared/kafka-event';
import { loadConfig } from '../shared/config';
import { lakeParquet, readLake, topicPrefix } from '../shared/lake';
import { S3ObjectStore } from '../shared/object-store';
import type { MessageProducer } from '../shared/producer';
import { HOUR, reading, record, T0 } from '../tests/support/kafka-records';
import { saveResult } from './support/results';
import { median } from './support/stats';

const BATCH = 5000;
const BATCHES = 4;
const config = loadConfig();
const store = new S3ObjectStore(config.s3);
// Every generated record is valid: nothing goes to the dead-letter topic, so no broker is involved.
const noDeadLetters: MessageProducer = {
  send: async () => {
    throw new Error('the benchmark data has no invalid record');
  },
  disconnect: async () => undefined,
};

function batches(topic: string, observedAt: (i: number) => number, stations: number): KafkaRecord[][] {
  return Array.from({ length: BATCHES }, (_, b) =>
    Array.from({ length: BATCH }, (_, j) => {
      const i = b * BATCH + j;
      return record(i, reading(`station-${(i % stations) + 1}`, Math.floor(i / stations), observedAt(i)), { topic });
    }),
  );
}

async function scenario(name: string, observedAt: (i: number) => number, stations: number) {
  const topic = `bench-sink-${randomUUID().slice(0, 8)}`;
  const input = batches(topic, observedAt, stations);
  const ports = { store, deadLetters: noDeadLetters, deadLetterTopic: 'unused', now: () => performance.now() };
  const plan: number[] = [];
  const encode: number[] = [];
  const total: number[] = [];
  let files = 0;
  let bytes = 0;
  try {
    for (const [b, records] of input.entries()) {
      let t = performance.now();
      const planned = planPartition(records, b * BATCH);
      plan.push(performance.now() - t);
      t = performance.now();
      for (const file of planned.files) lakeParquet(file.rows);
      encode.push(performance.now() - t);
      t = performance.now();
      const result = await sinkPartition(records, ports);
      total.push(performance.now() - t);
      files += result.files;
      bytes += result.bytes;
    }
    let t = performance.now();
    const again = await sinkPartition(input[0], ports);
    const redeliveryMs = performance.now() - t;
    if (again.redelivered !== BATCH || again.written !== 0) throw new Error('a redelivered batch wrote something');
    t = performance.now();
    const lake = await readLake(store, topic, { from: -Infinity, to: Infinity });
    const readMs = performance.now() - t;
    if (lake.numRows() !== BATCH * BATCHES)
      throw new Error(`read back ${lake.numRows()} rows, expected ${BATCH * BATCHES}`);
    const sinkMs = median(total);
    return {
      scenario: name,
      batchRecords: BATCH,
      batches: BATCHES,
      filesPerBatch: files / BATCHES,
      bytesPerRecord: Math.round(bytes / (BATCH * BATCHES)),
      decodePlanMs: Math.round(median(plan)),
      parquetEncodeMs: Math.round(median(encode)),
      sinkPartitionMs: Math.round(sinkMs),
      recordsPerSecond: Math.round(BATCH / (sinkMs / 1000)),
      redeliveryMs: Math.round(redeliveryMs),
      readLakeMs: Math.round(readMs),
      readLakeRowsPerSecond: Math.round((BATCH * BATCHES) / (readMs / 1000)),
    };
  } finally {
    await store.delete(await store.list(topicPrefix(topic)));
  }
}

async function main() {
  const results = [
    await scenario('live (one event hour per batch)', (i) => T0 + (i % 3_000_000), 3),
    await scenario('replay (3 stations, one hour per step)', (i) => T0 + Math.floor(i / 3) * HOUR, 3),
  ];
  console.table(results);
  saveResult('sink', { benchmark: 'sink', objectStore: config.s3.endpoint ?? 'AWS S3', results });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
