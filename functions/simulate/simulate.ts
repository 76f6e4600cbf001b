import type { Random } from '@air-quality/preprocessing';
import { isPlainReading, readingSchema, type Reading } from '../../shared/schemas/reading';
import type { MessageProducer, OutgoingMessage, PartitionReceipt } from '../../shared/producer';
import { checkDryRunSize } from './limits';
import { readingJson, type DatasetRows } from './messages';
import { replayPlan, samplePlan, type Plan } from './plan';
import { progressEvery, type Progress } from './progress';
import type { SimulateRequest } from './request';
import type { SimulatorCursor } from './state-store';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface SimulateDependencies {
  rows: DatasetRows;
  state: SimulatorCursor;
  producer: MessageProducer;
  topic: string;
  random: (seed: number) => Random;
  /** Writes the QC summary of what was sent; returns where it went. */
  writeQc: (readings: Reading[]) => Promise<{ key: string; csv: string }>;
  clock: Clock;
  /** Called at most every PROGRESS_INTERVAL_MS while sending: a shorter run reports no progress. */
  onProgress?: (progress: Progress) => void;
}

export const PROGRESS_INTERVAL_MS = 10_000;

/** Steps of a dry run whose readings are built first, to estimate the size of its response. */
const DRY_RUN_SAMPLE_STEPS = 24;

export interface SimulateResult {
  mode: SimulateRequest['mode'];
  dryRun: boolean;
  topic: string;
  stations: number;
  sent: number;
  sequences: { first: number; last: number };
  partitions: PartitionReceipt[];
  durationMs: number;
  messagesPerSecond: number;
  qc?: { key: string; csv: string };
  messages?: Reading[];
}

export async function simulate(request: SimulateRequest, deps: SimulateDependencies): Promise<SimulateResult> {
  const started = deps.clock.now();
  const versioned = await deps.state.read();
  const planOf = (count: number): Plan =>
    request.mode === 'replay'
      ? replayPlan(versioned.state, deps.rows.length, request.stations, count, started)
      : samplePlan(
          versioned.state,
          deps.rows.length,
          request.stations,
          count,
          started,
          deps.random(request.seed ?? started),
        );
  if (request.dryRun)
    checkDryRunSize(
      request,
      planOf(Math.min(request.count, DRY_RUN_SAMPLE_STEPS)).emissions.map((e) => deps.rows.reading(e)),
    );
  const plan = planOf(request.count);
  // Our own output is checked against the published contract: a bug here must not reach consumers.
  const readings = plan.emissions.map((e) => {
    const reading = deps.rows.reading(e);
    return isPlainReading(reading) ? reading : readingSchema.parse(reading);
  });
  const base = {
    mode: request.mode,
    dryRun: request.dryRun,
    topic: deps.topic,
    stations: request.stations,
    sequences: { first: versioned.state.nextSequence, last: plan.next.nextSequence - 1 },
  };
  if (request.dryRun) {
    return {
      ...base,
      sent: 0,
      partitions: [],
      durationMs: deps.clock.now() - started,
      messagesPerSecond: 0,
      messages: readings,
    };
  }
  await deps.state.reserve(versioned, plan.next);
  const receipts = await sendPaced(readings.map(toMessage), request, deps);
  const durationMs = deps.clock.now() - started;
  const qc = request.qc ? await deps.writeQc(readings) : undefined;
  return {
    ...base,
    sent: readings.length,
    partitions: mergeReceipts(receipts),
    durationMs,
    messagesPerSecond: readings.length / Math.max(durationMs / 1000, 1e-3),
    qc,
  };
}

const toMessage = (reading: Reading): OutgoingMessage => ({
  key: reading.stationId,
  value: readingJson(reading),
  headers: { 'content-type': 'application/json', 'schema-version': String(reading.schemaVersion) },
});

/** Sends in micro-batches; with a rate, batch i is not sent before start + i·batchSize/rate seconds. */
async function sendPaced(
  messages: OutgoingMessage[],
  request: SimulateRequest,
  deps: SimulateDependencies,
): Promise<PartitionReceipt[]> {
  const receipts: PartitionReceipt[] = [];
  const start = deps.clock.now();
  const progress =
    deps.onProgress && progressEvery(PROGRESS_INTERVAL_MS, messages.length, deps.clock.now, deps.onProgress);
  for (let offset = 0; offset < messages.length; offset += request.batchSize) {
    if (request.rate) {
      const due = start + (offset / request.rate) * 1000;
      const wait = due - deps.clock.now();
      if (wait > 0) await deps.clock.sleep(wait);
    }
    const batch = messages.slice(offset, offset + request.batchSize);
    receipts.push(...(await deps.producer.send(deps.topic, batch)));
    progress?.(offset + batch.length);
  }
  return receipts;
}

function mergeReceipts(receipts: PartitionReceipt[]): PartitionReceipt[] {
  const merged = new Map<number, PartitionReceipt>();
  for (const r of receipts) {
    const seen = merged.get(r.partition);
    merged.set(
      r.partition,
      seen
        ? {
            partition: r.partition,
            count: seen.count + r.count,
            firstOffset: minOffset(seen.firstOffset, r.firstOffset),
            lastOffset: maxOffset(seen.lastOffset, r.lastOffset),
          }
        : { ...r },
    );
  }
  return [...merged.values()].sort((a, b) => a.partition - b.partition);
}

const minOffset = (a: string, b: string) => (BigInt(a) <= BigInt(b) ? a : b);
const maxOffset = (a: string, b: string) => (BigInt(a) >= BigInt(b) ? a : b);
