/**
 * readLake against the real MinIO (loopback), on lakes written into a prefix of their own with the lake's own
 * encoder and keys (bench/support/lake.ts):
 *   - large: compaction-sized files (one per partition and day: 70 stations a partition, one reading a minute →
 *     100,800 rows a file, ZSTD), read whole, as the report reads it (its columns only), and one day of two;
 *   - small: today's replay files (3 stations stepping one hour per reading → 3 rows a file).
 * Each read is timed REPEATS times (median, and best: the machine is shared); `fetch only` is the GETs alone, and
 * the CPU time is this process's (decoding and merging): on a loaded machine wall time is mostly waiting for a core.
 *   npx tsx bench/lake-read.ts     → prints a table and writes bench/results/lake-read.json
 */
import { randomUUID } from 'node:crypto';
import { HOUR_MS, COLUMN_IDS } from '@air-quality/preprocessing';
import pLimit from 'p-limit';
import { loadConfig } from '../shared/config';
import { listLakeFiles, readLake, topicPrefix, type ReadLakeOptions, type TimeRange } from '../shared/lake';
import { S3ObjectStore } from '../shared/object-store';
import { deletePrefix, readingsFromDataset, writeLake, type PlannedFile } from './support/lake';
import { saveResult } from './support/results';
import { median } from './support/stats';

const REPEATS = 3;
const DAY = 24 * HOUR_MS;
const T0 = Date.UTC(2026, 0, 1);
const store = new S3ObjectStore(loadConfig().s3);
/** The columns the report reads. */
const REPORT_COLUMNS = ['observedAt', 'stationId', ...COLUMN_IDS];

/** One file per partition and day, each station reading once a minute. */
function* compactedFiles(partitions: number, days: number, stationsPerPartition: number): Generator<PlannedFile> {
  for (let p = 0; p < partitions; p++) {
    for (let d = 0; d < days; d++) {
      const emissions = [];
      for (let minute = 0; minute < 1440; minute++) {
        for (let s = 0; s < stationsPerPartition; s++) {
          emissions.push({
            stationId: `station-${String(p * stationsPerPartition + s).padStart(3, '0')}`,
            sequence: d * 1440 + minute,
            observedAtMs: T0 + d * DAY + minute * 60_000,
            rowIndex: d * 1440 + minute + s * 10,
          });
        }
      }
      yield { partition: p, startOffset: d * emissions.length, emissions };
    }
  }
}

/** Today's replay: one partition, one file per event hour holding that hour's reading of each of 3 stations. */
function* replayFiles(hours: number): Generator<PlannedFile> {
  for (let h = 0; h < hours; h++) {
    const emissions = [1, 2, 3].map((s) => ({
      stationId: `station-${s}`,
      sequence: h,
      observedAtMs: T0 + h * HOUR_MS,
      rowIndex: h + s * 3000,
    }));
    yield { partition: 0, startOffset: h * 3, emissions };
  }
}

/** Wall time and this process's CPU time (decoding, merging; MinIO runs elsewhere) of each of REPEATS runs. */
async function timed<T>(run: () => Promise<T>): Promise<{ ms: number[]; cpuMs: number[]; value: T }> {
  const ms: number[] = [];
  const cpuMs: number[] = [];
  let value!: T;
  for (let i = 0; i < REPEATS; i++) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    value = await run();
    ms.push(performance.now() - started);
    const used = process.cpuUsage(cpu);
    cpuMs.push((used.user + used.system) / 1000);
  }
  return { ms, cpuMs, value };
}

async function fetchOnly(topic: string, range: TimeRange): Promise<number> {
  const limit = pLimit(32);
  const files = await listLakeFiles(store, topic, range);
  await Promise.all(files.map((file) => limit(() => store.get(file.key))));
  return files.length;
}

async function scenario(
  name: string,
  files: Iterable<PlannedFile>,
  reads: Record<string, [TimeRange, ReadLakeOptions]>,
) {
  const topic = `bench-lake-read-${randomUUID().slice(0, 8)}`;
  const toRow = readingsFromDataset();
  try {
    const written = await writeLake(store, topic, files, toRow);
    console.log(
      `${name}: wrote ${written.files} files, ${written.rows} rows, ${written.bytes} bytes to ${topicPrefix(topic)}`,
    );
    const rows = [];
    for (const [read, [range, options]] of Object.entries(reads)) {
      const fetch = await timed(() => fetchOnly(topic, range));
      const result = await timed(() => readLake(store, topic, range, options));
      const readRows = result.value.numRows();
      const best = Math.min(...result.ms);
      rows.push({
        scenario: name,
        read,
        files: fetch.value,
        rows: readRows,
        columns: result.value.numCols(),
        fetchOnlyMs: Math.round(median(fetch.ms)),
        readLakeMs: Math.round(median(result.ms)),
        readLakeBestMs: Math.round(best),
        readLakeCpuMs: Math.round(median(result.cpuMs)),
        rowsPerSecond: Math.round(readRows / (median(result.ms) / 1000)),
        bestRowsPerSecond: Math.round(readRows / (best / 1000)),
        rowsPerCpuSecond: Math.round(readRows / (median(result.cpuMs) / 1000)),
      });
    }
    return { written: { scenario: name, ...written }, rows };
  } finally {
    await deletePrefix(store, topicPrefix(topic));
  }
}

async function main(): Promise<void> {
  const all: TimeRange = { from: -Infinity, to: Infinity };
  const twoDays: TimeRange = { from: T0, to: T0 + 2 * DAY };
  const large = await scenario('large (100,800-row files)', compactedFiles(3, 2, 70), {
    'all columns, 2 days': [twoDays, {}],
    'report columns, 2 days': [twoDays, { columns: REPORT_COLUMNS }],
    'report columns, 1 day': [{ from: T0 + DAY, to: T0 + 2 * DAY }, { columns: REPORT_COLUMNS }],
  });
  const small = await scenario('small (3-row replay files)', replayFiles(600), {
    'all columns': [all, {}],
    'report columns': [all, { columns: REPORT_COLUMNS }],
  });
  const reads = [...large.rows, ...small.rows];
  console.table(reads);
  saveResult('lake-read', { repeats: REPEATS, written: [large.written, small.written], reads });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
