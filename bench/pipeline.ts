/**
 * The whole path on the real services: simulate (handler) → Kafka → the event-source emulator
 * (MappingWorker, the sink's serverless.yml settings unless overridden) → sink (handler) → Parquet in MinIO.
 *   npm run bench:pipeline [-- <readings per station> <stations> <rate msg/s> <batchSize> <window s>]
 * Measures sustained records/s and produce-to-visible latency: a record is visible when its partition's
 * watermark passes it (readers see it from then on); its produce time is its Kafka CreateTime.
 * Writes bench/results/pipeline-r<rate>-b<batchSize>-w<window>.json, with a breakdown of where the time went;
 * CPU_PROFILE=<file>.cpuprofile profiles the measured part (summarise it with bench/support/profile-summary.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { MappingWorker, type InvocationSummary } from 'serverless-offline-kafka';
import { createKafka } from '../shared/kafka';
import { readWatermark, topicPrefix } from '../shared/lake';
import { createTopics, deleteTopics, endOffsets, messagesBetween } from '../tests/support/kafka';
import { benchmarkFunctions } from './support/functions';
import { saveResult } from './support/results';
import { profiled } from './support/cpu-profile';
import { percentile } from './support/stats';

const [perStation = 4000, stations = 5, rate = 2000, batchSize = 5000, windowSeconds = 5] = process.argv
  .slice(2)
  .map(Number);
const { topic, config, store, context } = benchmarkFunctions('pipeline');

async function main(): Promise<void> {
  const kafka = await createKafka(config.kafka, 'bench-pipeline');
  await createTopics(kafka, [topic, `${topic}.dlq`]);
  const { handler: simulate } = await import('../functions/simulate/handler');
  const { handler: sink } = await import('../functions/sink/handler');
  const invocations: InvocationSummary[] = [];
  const worker = new MappingWorker({
    mapping: {
      functionKey: 'sink',
      source: { eventSource: 'SelfManagedKafka' },
      bootstrapServers: config.kafka.brokers,
      topic,
      batchSize,
      maximumBatchingWindowMs: windowSeconds * 1000,
      startingPosition: { type: 'TRIM_HORIZON' },
      consumerGroupId: `${topic}-sink`,
      filterPatterns: [],
    },
    retry: { initialBackoffMs: 200, maxBackoffMs: 2000 },
    onInvocation: (summary) => invocations.push(summary),
    handler: (event) => sink(event, context),
  });
  await worker.start();

  // Watch the watermarks: every offset below a new watermark became visible at that moment.
  const visibleAt = new Map<string, number>();
  const seen = new Map<number, number>([
    [0, 0],
    [1, 0],
    [2, 0],
  ]);
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      for (const partition of [0, 1, 2]) {
        const { nextOffset } = await readWatermark(store, topic, partition);
        const now = Date.now();
        for (let offset = seen.get(partition)!; offset < nextOffset; offset++)
          visibleAt.set(`${partition}/${offset}`, now);
        seen.set(partition, Math.max(seen.get(partition)!, nextOffset));
      }
      await sleep(50);
    }
  })();

  const total = perStation * stations;
  console.log(
    `producing ${total} readings (${stations} stations) at ${rate}/s to ${topic}; sink batch ${batchSize}, window ${windowSeconds} s`,
  );
  const cpuBefore = process.cpuUsage();
  const produceStarted = performance.now();
  let produceSeconds = 0;
  const { produced, ends } = await profiled(async () => {
    const produced = await simulate(
      { mode: 'sample', count: perStation, stations, rate, batchSize: Math.max(1, Math.round(rate / 10)) },
      context,
    );
    produceSeconds = (performance.now() - produceStarted) / 1000;
    const ends = await endOffsets(kafka, topic);
    while ([...ends].some(([p, end]) => seen.get(p)! < end)) await sleep(100);
    return { produced, ends };
  });
  const cpu = process.cpuUsage(cpuBefore);
  watching = false;
  await watcher;
  await worker.stop();

  const messages = await messagesBetween(kafka, topic, new Map([...ends.keys()].map((p) => [p, 0])), ends);
  const latencies = messages
    .map((m) => visibleAt.get(`${m.partition}/${m.message.offset}`)! - Number(m.message.timestamp))
    .sort((a, b) => a - b);
  const first = Math.min(...messages.map((m) => Number(m.message.timestamp)));
  const last = Math.max(...visibleAt.values());
  const figures = {
    readings: total,
    stations,
    targetRate: rate,
    produceMessagesPerSecond: Math.round(produced.messagesPerSecond),
    sinkBatchSize: batchSize,
    sinkWindowSeconds: windowSeconds,
    sustainedRecordsPerSecond: Math.round(total / ((last - first) / 1000)),
    latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), max: latencies.at(-1) },
    breakdown: breakdown(ends, invocations, produceSeconds, (last - first) / 1000, cpu, total),
  };
  const { breakdown: where, ...headline } = figures;
  console.table({
    ...headline,
    latencyMs: `p50 ${figures.latencyMs.p50}, p95 ${figures.latencyMs.p95}, max ${figures.latencyMs.max}`,
  });
  console.log('breakdown', where);
  saveResult(`pipeline-r${rate}-b${batchSize}-w${windowSeconds}`, figures);

  await deleteTopics(kafka, [topic, `${topic}.dlq`]);
  await store.delete(await store.list(topicPrefix(topic)));
}

/**
 * Where the time went: how long producing took, how the records spread over the partitions (records are keyed by
 * station, so few stations load the partitions unevenly), how busy each partition's lane kept the sink, and this
 * process's CPU per record (simulate, emulator and sink share it).
 */
function breakdown(
  ends: Map<number, number>,
  invocations: InvocationSummary[],
  produceSeconds: number,
  seconds: number,
  cpu: NodeJS.CpuUsage,
  total: number,
) {
  const durations = invocations.map((i) => i.durationMs).sort((a, b) => a - b);
  const partitions = [...ends.keys()].sort((a, b) => a - b);
  const sinkSecondsOf = (p: number) =>
    invocations.filter((i) => i.partition === p).reduce((sum, i) => sum + i.durationMs, 0) / 1000;
  return {
    produceSeconds: Number(produceSeconds.toFixed(2)),
    endToEndSeconds: Number(seconds.toFixed(2)),
    recordsPerPartition: partitions.map((p) => ends.get(p)),
    sinkInvocations: invocations.length,
    recordsPerInvocation: Math.round(total / Math.max(1, invocations.length)),
    sinkInvocationMs: { p50: Math.round(percentile(durations, 50)), p95: Math.round(percentile(durations, 95)) },
    sinkBusySecondsPerPartition: partitions.map((p) => Number(sinkSecondsOf(p).toFixed(2))),
    cpuMicrosecondsPerRecord: Math.round((cpu.user + cpu.system) / total),
  };
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
