/**
 * One partition of one mapping: buffers fetched records, cuts batches, invokes the handler strictly in
 * order, and commits only what succeeded (or was filtered out, or was dead-lettered).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { KafkaMessage } from 'kafkajs';
import { cutBatch, firstHalf, MAX_PAYLOAD_BYTES, type BatchLimits, type Sized } from './batch';
import { buildEvent, eventOverheadBytes, jsonBytes, toLambdaRecord, type LambdaKafkaEvent, type LambdaKafkaRecord } from './event';
import type { InvocationSummary } from './log';
import type { MappingSettings } from './mapping';
import { readOutcome, type Outcome } from './response';
import { backoffMs, defaultRetryPolicy, retriesExhausted, type RetryPolicy } from './retry';

/** Commits and dead-letter sends are retried quickly: they fail only while the broker is away. */
const KAFKA_SIDE_EFFECT_BACKOFF: RetryPolicy = { ...defaultRetryPolicy, initialBackoffMs: 200, maxBackoffMs: 5000 };

interface Buffered extends Sized {
  offset: number;
  message: KafkaMessage;
  record: LambdaKafkaRecord;
  arrivedAt: number;
}

/** What a lane needs from its worker: the Kafka side effects and the handler. */
export interface LaneContext {
  mapping: MappingSettings;
  retry: RetryPolicy;
  keep: (value: Buffer | null) => boolean;
  /** Runs the handler within the mapping's partition concurrency limit. */
  invoke: (event: LambdaKafkaEvent) => Promise<unknown>;
  commit: (partition: number, nextOffset: number) => Promise<void>;
  deadLetter: (partition: number, messages: KafkaMessage[], error: string, attempts: number) => Promise<void>;
  pause: (partition: number) => void;
  resume: (partition: number) => void;
  report: (summary: InvocationSummary) => void;
  warn: (line: string) => void;
}

export class PartitionLane {
  private readonly buffer: Buffered[] = [];
  private bufferedBytes = 0;
  /** Next offset expected from the fetcher: after a rejoin kafkajs fetches again from the committed offset. */
  private nextFetchOffset = -1;
  private paused = false;
  /** The records the next invocation must carry again after a failure (Lambda retries the same batch). */
  private retryBatch: Buffered[] | undefined;
  private failedAttempts = 0;
  private failingOffset = -1;
  private wakeUp: (() => void) | undefined;
  private readonly stopping = new AbortController();
  private readonly limits: BatchLimits;
  readonly done: Promise<void>;

  constructor(
    readonly partition: number,
    private readonly context: LaneContext,
  ) {
    const { source, bootstrapServers, topic, batchSize } = context.mapping;
    this.limits = { maxRecords: batchSize, maxPayloadBytes: MAX_PAYLOAD_BYTES, overheadBytes: eventOverheadBytes(source, bootstrapServers, topic, partition) };
    this.done = this.run();
  }

  accept(messages: readonly KafkaMessage[]): void {
    const { topic } = this.context.mapping;
    for (const message of messages) {
      const offset = Number(message.offset);
      if (offset < this.nextFetchOffset) continue;
      this.nextFetchOffset = offset + 1;
      const record = toLambdaRecord(topic, this.partition, message);
      const bytes = jsonBytes(record);
      this.buffer.push({ offset, message, record, bytes, deliver: this.context.keep(message.value), arrivedAt: performance.now() });
      this.bufferedBytes += bytes;
    }
    // Backpressure: stop fetching this partition while two batches' worth is waiting.
    if (!this.paused && (this.buffer.length >= 2 * this.limits.maxRecords || this.bufferedBytes >= 2 * MAX_PAYLOAD_BYTES)) {
      this.paused = true;
      this.context.pause(this.partition);
    }
    this.wakeUp?.();
  }

  /**
   * Stops taking batches and waits up to `graceMs` for the running invocation. Whatever it has not committed
   * by then never is (commits check `stopped`): the records come again, at least once.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping.abort();
    this.wakeUp?.();
    await Promise.race([this.done, sleep(graceMs, undefined, { ref: false })]);
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const batch = this.retryBatch ?? (await this.nextBatch());
      if (batch) await this.process(batch);
    }
  }

  /** Waits until a batch is due: full, the window expired since its first record arrived, or only filtered records. */
  private async nextBatch(): Promise<Buffered[] | undefined> {
    const windowMs = this.context.mapping.maximumBatchingWindowMs;
    while (!this.stopped) {
      const cut = cutBatch(this.buffer, this.limits);
      const dueInMs = cut.take === 0 ? Infinity : this.buffer[0]!.arrivedAt + windowMs - performance.now();
      if (cut.take > 0 && (cut.full || cut.delivered === 0 || dueInMs <= 0)) return this.buffer.slice(0, cut.take);
      await this.waitForRecords(dueInMs);
    }
    return undefined;
  }

  private waitForRecords(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = Number.isFinite(ms) ? setTimeout(() => this.wakeUp?.(), ms) : undefined;
      this.wakeUp = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
    });
  }

  private async process(batch: Buffered[]): Promise<void> {
    const delivered = batch.filter((entry) => entry.deliver);
    const first = batch[0]!.offset;
    const last = batch.at(-1)!.offset;
    if (delivered.length === 0) {
      if (await this.commitBefore(last + 1)) this.report({ firstOffset: first, lastOffset: last, records: batch.length, durationMs: 0, outcome: 'filtered' });
      return;
    }
    const { mapping } = this.context;
    const offsets = delivered.map((entry) => entry.offset);
    const started = performance.now();
    const outcome = await this.context
      .invoke(buildEvent(mapping.source, mapping.bootstrapServers, delivered.map((entry) => entry.record)))
      .then((result) => readOutcome(result, this.partition, offsets))
      .catch((error: unknown): Outcome => ({ kind: 'error', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }));
    const invocation = { firstOffset: offsets[0]!, lastOffset: offsets.at(-1)!, records: delivered.length, durationMs: performance.now() - started };

    if (outcome.kind === 'success') {
      if (await this.commitBefore(last + 1)) this.report({ ...invocation, outcome: 'ok' });
      return;
    }
    if (outcome.kind === 'partial') {
      if (!(await this.commitBefore(outcome.fromOffset))) return;
      const failing = batch.filter((entry) => entry.offset >= outcome.fromOffset);
      const detail = await this.handleFailure(failing, `${outcome.failed} failed from offset ${outcome.fromOffset}`, false);
      this.report({ ...invocation, outcome: 'partial', detail });
      return;
    }
    const detail = await this.handleFailure(batch, outcome.message, this.context.retry.bisectBatchOnFunctionError);
    this.report({ ...invocation, outcome: 'error', detail });
  }

  /** Decides what follows a failure (bisect, retry after backoff, or dead letter) and says so for the log line. */
  private async handleFailure(failing: Buffered[], error: string, bisect: boolean): Promise<string> {
    const deliveredCount = failing.filter((entry) => entry.deliver).length;
    if (bisect && deliveredCount > 1) {
      this.retryBatch = failing.slice(0, firstHalf(failing));
      return `${error}; bisecting: retrying the first ${this.retryBatch.filter((entry) => entry.deliver).length} records`;
    }
    this.failedAttempts = failing[0]!.offset === this.failingOffset ? this.failedAttempts + 1 : 1;
    this.failingOffset = failing[0]!.offset;
    const { retry, mapping } = this.context;
    const exhausted = retriesExhausted(retry, this.failedAttempts);
    const destination = mapping.onFailureDestination;
    if (exhausted && destination?.type === 'kafka') {
      const attempts = this.failedAttempts;
      const sent = await this.untilDone('send to the on-failure topic', () =>
        this.context.deadLetter(this.partition, failing.filter((entry) => entry.deliver).map((entry) => entry.message), error, attempts),
      );
      if (sent) await this.commitBefore(failing.at(-1)!.offset + 1);
      return `${error}; retries exhausted after ${attempts} attempts: ${deliveredCount} records sent to kafka://${destination.topic}`;
    }
    this.retryBatch = failing;
    const waitMs = backoffMs(retry, this.failedAttempts);
    const next = exhausted ? `retries exhausted and no onFailureDestination: retrying attempt ${this.failedAttempts + 1} in ${waitMs} ms` : `retrying attempt ${this.failedAttempts + 1} in ${waitMs} ms`;
    await sleep(waitMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
    return `${error}; ${next}`;
  }

  /** Commits everything below `nextOffset` and forgets it; false when the lane stopped before the commit went through. */
  private async commitBefore(nextOffset: number): Promise<boolean> {
    if (!(await this.untilDone('commit', () => this.context.commit(this.partition, nextOffset)))) return false;
    while (this.buffer.length > 0 && this.buffer[0]!.offset < nextOffset) this.bufferedBytes -= this.buffer.shift()!.bytes;
    if (this.retryBatch && this.retryBatch[0]!.offset < nextOffset) this.retryBatch = undefined;
    if (this.failingOffset < nextOffset) this.failedAttempts = 0;
    if (this.paused && this.buffer.length < this.limits.maxRecords && this.bufferedBytes < MAX_PAYLOAD_BYTES) {
      this.paused = false;
      this.context.resume(this.partition);
    }
    return true;
  }

  /** Retries a Kafka side effect (the broker may be restarting) until it succeeds or the lane stops. */
  private async untilDone(what: string, operation: () => Promise<void>): Promise<boolean> {
    for (let attempt = 1; !this.stopped; attempt += 1) {
      try {
        await operation();
        return true;
      } catch (error) {
        const waitMs = backoffMs(KAFKA_SIDE_EFFECT_BACKOFF, attempt);
        this.context.warn(`kafka λ ${this.context.mapping.functionKey} ${this.context.mapping.topic}-${this.partition}: ${what} failed (${(error as Error).message}); trying again in ${waitMs} ms`);
        await sleep(waitMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
      }
    }
    return false;
  }

  private report(summary: Omit<InvocationSummary, 'functionKey' | 'topic' | 'partition'>): void {
    this.context.report({ functionKey: this.context.mapping.functionKey, topic: this.context.mapping.topic, partition: this.partition, ...summary });
  }
}
