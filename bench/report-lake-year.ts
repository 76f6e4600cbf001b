/**
 * The same report on a simulated year in the lake vs on the reference dataset, both through runReport against the
 * real MinIO (read, analyse, render, publish):
 *   npx tsx bench/report-lake-year.ts     → bench/results/report-lake-year.json
 * The year (8,760 hours × 3 stations, as the simulator's replay phases them, one station per partition) is written
 * straight with the lake's own encoder, one file per partition and day as compaction leaves it (no Kafka: the
 * sink has its own benchmark), into a topic of its own that is deleted afterwards.
 */
import { randomUUID } from 'node:crypto';
import { COLUMN_IDS, HOUR_MS, parseAirQuality } from '@air-quality/preprocessing';
import { reportRequestSchema, runReport, type ReportRun, type ReportSkipped } from '../functions/report/run';
import { loadConfig } from '../shared/config';
import { readLake, topicPrefix } from '../shared/lake';
import { S3ObjectStore } from '../shared/object-store';
import { readDatasetText } from '../tests/support/dataset';
import { deletePrefix, readingsFromDataset, writeLake, type PlannedFile } from './support/lake';
import { saveResult } from './support/results';

const HOURS = 8760;
const STATIONS = 3;
const YEAR_START = Date.UTC(2026, 0, 1);

/** The simulator's replay of a year: station s reads dataset row (hour + s × rows/stations), one file a partition-day. */
function* replayedYear(datasetRows: number): Generator<PlannedFile> {
  const phase = Math.floor(datasetRows / STATIONS);
  for (let s = 0; s < STATIONS; s++) {
    for (let day = 0; day < HOURS / 24; day++) {
      const emissions = Array.from({ length: 24 }, (_, h) => {
        const hour = day * 24 + h;
        return {
          stationId: `station-${String(s + 1).padStart(2, '0')}`,
          sequence: hour,
          observedAtMs: YEAR_START + hour * HOUR_MS,
          rowIndex: hour + s * phase,
        };
      });
      yield { partition: s, startOffset: day * 24, emissions };
    }
  }
}

const published = (run: ReportRun | ReportSkipped): ReportRun => {
  if (run.outcome === 'skipped') throw new Error(`the report was skipped: ${run.reason}`);
  return run;
};

async function lakeYearReport(): Promise<void> {
  const store = new S3ObjectStore(loadConfig().s3);
  const topic = `bench-report-year-${randomUUID().slice(0, 8)}`;
  const reportsPrefix = `bench/report-${randomUUID().slice(0, 8)}`;
  const datasetRows = parseAirQuality(readDatasetText()).numRows();
  const deps = { store, topic, reportsPrefix };
  const year = { from: new Date(YEAR_START).toISOString(), to: new Date(YEAR_START + HOURS * HOUR_MS).toISOString() };
  try {
    let started = performance.now();
    const written = await writeLake(store, topic, replayedYear(datasetRows), readingsFromDataset());
    const writeMs = performance.now() - started;

    started = performance.now();
    const range = { from: Date.parse(year.from), to: Date.parse(year.to) };
    const read = await readLake(store, topic, range, { columns: ['observedAt', 'stationId', ...COLUMN_IDS] });
    const readMs = performance.now() - started;

    started = performance.now();
    const lake = published(await runReport(reportRequestSchema.parse({ source: 'lake', ...year }), deps));
    const lakeMs = performance.now() - started;
    started = performance.now();
    const reference = published(await runReport(reportRequestSchema.parse({ source: 'reference' }), deps));
    const referenceMs = performance.now() - started;

    const result = {
      lake: {
        files: written.files,
        rows: written.rows,
        bytes: written.bytes,
        writeMs: Math.round(writeMs),
        readLakeMs: Math.round(readMs),
        readLakeRowsPerSecond: Math.round(read.numRows() / (readMs / 1000)),
        reportMs: Math.round(lakeMs),
        reportRows: lake.rows,
        artifacts: lake.artifacts.length,
      },
      reference: {
        reportMs: Math.round(referenceMs),
        reportRows: reference.rows,
        artifacts: reference.artifacts.length,
      },
      lakeOverReference: Number((lakeMs / referenceMs).toFixed(2)),
    };
    console.table({ lake: result.lake, reference: result.reference });
    console.log(`lake report / reference report wall time: ${result.lakeOverReference}`);
    saveResult('report-lake-year', result);
  } finally {
    await deletePrefix(store, topicPrefix(topic));
    await deletePrefix(store, `${reportsPrefix}/`);
  }
}

lakeYearReport().catch((error) => {
  console.error(error);
  process.exit(1);
});
