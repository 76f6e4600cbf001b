/**
 * Files per sink invocation and rows per file under the scheduled replay workload (serverless.yml simulateInput:
 * `count` dataset hours per tick for 3 stations, one tick a minute), for the event-day layout against the
 * event-hour layout it replaced, and the lake's files before and after `compact`.
 *   npx tsx bench/lake-layout.ts [-- <ticks> <count per tick>...]
 * Real broker, the event source emulator (MappingWorker) and the sink domain writing to MinIO. Each tick's readings
 * (observedAt = anchor + position hours, keyed by station, as simulate's replay makes them) are produced at once and
 * the next tick waits until the sink has caught up, as the one-minute schedule does: one tick is one batch per
 * partition. The hour layout's figures come from the same batches: one file per (partition, event hour) of a batch.
 * Writes bench/results/lake-layout.json.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { HOUR_MS } from '@air-quality/preprocessing';
import { MappingWorker } from 'serverless-offline-kafka';
import { compactTopic } from '../functions/compact/compact';
import { sink } from '../functions/sink/sink';
import { loadConfig } from '../shared/config';
import { createKafka } from '../shared/kafka';
import { kafkaEventSchema } from '../shared/kafka-event';
import { parseDataFileKey, readLake, readWatermark, topicPrefix } from '../shared/lake';
import { S3ObjectStore } from '../shared/object-store';
import { KafkaMessageProducer } from '../shared/producer';
import { parsePayload } from '../shared/middleware';
import { reading } from '../tests/support/kafka-records';
import { createTopics, deleteTopics, endOffsets } from '../tests/support/kafka';
import { saveResult } from './support/results';

const [ticks = 12, ...counts] = process.argv.slice(2).map(Number);
const STATIONS = ['station-01', 'station-02', 'station-03'];
const config = loadConfig();
const store = new S3ObjectStore(config.s3);

interface Invocation {
  records: number;
  dayFiles: number;
  hourFiles: number;
}

async function run(count: number) {
  const topic = `bench-layout-${randomUUID().slice(0, 8)}`;
  const kafka = await createKafka(config.kafka, 'bench-layout');
  await createTopics(kafka, [topic]);
  const producer = new KafkaMessageProducer(config.kafka, 'bench-layout');
  const invocations: Invocation[] = [];
  const worker = new MappingWorker({
    mapping: {
      functionKey: 'sink',
      source: { eventSource: 'SelfManagedKafka' },
      bootstrapServers: config.kafka.brokers,
      topic,
      batchSize: 5000,
      // The sink's window is 5 s; a tick is produced in one send, so a shorter window makes the same batches.
      maximumBatchingWindowMs: 1000,
      startingPosition: { type: 'TRIM_HORIZON' },
      consumerGroupId: `${topic}-sink`,
      filterPatterns: [],
    },
    retry: { initialBackoffMs: 200, maxBackoffMs: 2000 },
    onInvocation: () => undefined,
    handler: async (payload) => {
      const event = parsePayload(kafkaEventSchema, payload);
      const results = await sink(event, {
        store,
        deadLetters: producer,
        deadLetterTopic: `${topic}.dlq`,
        now: () => 0,
      });
      const hours = new Set(
        Object.values(event.records)
          .flat()
          .map((r) => {
            const observedAt = JSON.parse(Buffer.from(String(r.value), 'base64').toString()).observedAt as string;
            return `${r.partition}/${Math.floor(Date.parse(observedAt) / HOUR_MS)}`;
          }),
      );
      invocations.push({
        records: results.reduce((n, p) => n + p.written, 0),
        dayFiles: results.reduce((n, p) => n + p.files, 0),
        hourFiles: hours.size,
      });
    },
  });
  await worker.start();
  const anchor = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
  for (let tick = 0; tick < ticks; tick++) {
    const messages = [...Array(count).keys()].flatMap((step) => {
      const position = tick * count + step;
      return STATIONS.map((stationId) => ({
        key: stationId,
        value: JSON.stringify(reading(stationId, position, anchor + position * HOUR_MS)),
      }));
    });
    await producer.send(topic, messages);
    const ends = await endOffsets(kafka, topic);
    for (;;) {
      const behind = await Promise.all(
        [...ends].map(async ([p, end]) => (await readWatermark(store, topic, p)).nextOffset < end),
      );
      if (!behind.some(Boolean)) break;
      await sleep(100);
    }
  }
  await worker.stop();
  await producer.disconnect();

  const filesIn = async () => (await store.list(topicPrefix(topic))).filter((k) => parseDataFileKey(k)).length;
  const everything = { from: -Infinity, to: Infinity };
  const before = await filesIn();
  const compaction = await compactTopic(store, { topic });
  const after = await filesIn();
  const rows = (await readLake(store, topic, everything)).numRows();
  await deleteTopics(kafka, [topic]);
  await store.delete(await store.list(topicPrefix(topic)));

  const total = (field: keyof Invocation) => invocations.reduce((n, i) => n + i[field], 0);
  const perInvocation = (field: keyof Invocation) => Number((total(field) / invocations.length).toFixed(2));
  return {
    countPerTick: count,
    ticks,
    eventDays: Number(((ticks * count) / 24).toFixed(1)),
    invocations: invocations.length,
    records: total('records'),
    filesPerInvocation: { hourLayout: perInvocation('hourFiles'), dayLayout: perInvocation('dayFiles') },
    rowsPerFile: {
      hourLayout: Number((total('records') / total('hourFiles')).toFixed(1)),
      dayLayout: Number((total('records') / total('dayFiles')).toFixed(1)),
    },
    lakeFiles: { beforeCompaction: before, afterCompaction: after, daysCompacted: compaction.days.length },
    rowsReadAfterCompaction: rows,
  };
}

async function main(): Promise<void> {
  const results = [];
  for (const count of counts.length > 0 ? counts : [60]) {
    const result = await run(count);
    console.log(JSON.stringify(result));
    results.push(result);
  }
  console.table(
    results.map((r) => ({
      count: r.countPerTick,
      invocations: r.invocations,
      'files/inv hour': r.filesPerInvocation.hourLayout,
      'files/inv day': r.filesPerInvocation.dayLayout,
      'rows/file hour': r.rowsPerFile.hourLayout,
      'rows/file day': r.rowsPerFile.dayLayout,
      'lake files': r.lakeFiles.beforeCompaction,
      'after compact': r.lakeFiles.afterCompaction,
    })),
  );
  saveResult('lake-layout', { stations: STATIONS.length, partitions: 3, runs: results });
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
