/**
 * One partition of one mapping: buffers fetched records, cuts batches, invokes the handler strictly in order, and
 * commits only what succeeded, was filtered out, or left through the error handling controls
 * (https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { KafkaMessage } from 'kafkajs';
import { cutBatch, firstHalf, MAX_PAYLOAD_BYTES, type BatchLimits, type Sized } from './batch';
import type { Destination } from './destination';
import {
  buildEvent,
  eventOverheadBytes,
  recordJsonBytes,
  toLambdaRecord,
  type LambdaKafkaEvent,
  type LambdaKafkaRecord,
} from './event';
import type { InvocationSummary } from './log';
import type { MappingSettings } from './mapping';
import type { EventCountName } from './metrics';
import { invokedResponse, localFunctionArn, type DiscardReason, type ResponseContext } from './on-failure';
import { readOutcome, type Outcome } from './response';
import {
  backoffMs,
  defaultRetryPolicy,
  recordExpired,
  retriesExhausted,
  type ErrorControls,
  type RetryPolicy,
} from './retry';

/** Commits and destination writes are retried quickly: they fail only while the broker or MinIO is away. */
const SIDE_EFFECT_BACKOFF: RetryPolicy = { ...defaultRetryPolicy, initialBackoffMs: 200, maxBackoffMs: 5000 };

const RETRIED_FOREVER =
  'As in AWS, without an onFailureDestination and with maximumRetryAttempts -1 the record is retried until it succeeds and the records behind it wait; set maximumRetryAttempts or onFailureDestination on the event to move on.';

interface Buffered extends Sized {
  offset: number;
  record: LambdaKafkaRecord;
  arrivedAt: number;
  /** Left through the error handling controls (destination or dropped); `deliver` is false from then on. */
  discarded?: true;
}

/** What a lane needs from its worker: the Kafka side effects, the handler, the destination and the counters. */
export interface LaneContext {
  mapping: MappingSettings;
  controls: ErrorControls;
  backoff: RetryPolicy;
  keep: (value: Buffer | null) => boolean;
  /** Runs the handler within the mapping's concurrency limit. */
  invoke: (event: LambdaKafkaEvent) => Promise<unknown>;
  commit: (partition: number, nextOffset: number) => Promise<void>;
  /** Absent when the mapping has no on-failure destination. */
  destination?: Destination;
  count: (name: EventCountName, value: number) => void;
  pause: (partition: number) => void;
  resume: (partition: number) => void;
  report: (summary: InvocationSummary) => void;
  warn: (line: string) => void;
  /** At most one "partition blocked" warning per this interval. */
  blockedWarningIntervalMs: number;
}

type Summary = Omit<InvocationSummary, 'functionKey' | 'topic' | 'partition'>;

export class PartitionLane {
  private readonly buffer: Buffered[] = [];
  private bufferedBytes = 0;
  /** Next offset expected from the fetcher: after a rejoin kafkajs fetches again from the committed offset. */
  private nextFetchOffset = -1;
  private committedNext = -1;
  private highWatermark = -1;
  private paused = false;
  /** The records the next invocation must carry again after a failure (Lambda retries the same batch). */
  private retryBatch: Buffered[] | undefined;
  private failedAttempts = 0;
  private failingOffset = -1;
  private lastResponse: ResponseContext = null;
  private lastBlockedWarningAt: number | undefined;
  private warnedIgnoredFailures = false;
  private wakeUp: (() => void) | undefined;
  private readonly stopping = new AbortController();
  private readonly limits: BatchLimits;
  readonly done: Promise<void>;

  constructor(
    readonly partition: number,
    private readonly context: LaneContext,
  ) {
    const { source, bootstrapServers, topic, batchSize } = context.mapping;
    this.limits = {
      maxRecords: batchSize,
      maxPayloadBytes: MAX_PAYLOAD_BYTES,
      overheadBytes: eventOverheadBytes(source, bootstrapServers, topic, partition),
    };
    this.done = this.run();
  }

  accept(messages: readonly KafkaMessage[], highWatermark: string): void {
    const { topic } = this.context.mapping;
    this.highWatermark = Number(highWatermark);
    let polled = 0;
    let filtered = 0;
    for (const message of messages) {
      const offset = Number(message.offset);
      if (offset < this.nextFetchOffset) continue;
      if (this.committedNext < 0) this.committedNext = offset;
      this.nextFetchOffset = offset + 1;
      const record = toLambdaRecord(topic, this.partition, message);
      const bytes = recordJsonBytes(record);
      const deliver = this.context.keep(message.value);
      this.buffer.push({ offset, record, bytes, deliver, arrivedAt: performance.now() });
      this.bufferedBytes += bytes;
      polled += 1;
      if (!deliver) filtered += 1;
    }
    this.context.count('PolledEventCount', polled);
    this.context.count('FilteredOutEventCount', filtered);
    // Backpressure: stop fetching this partition while two batches' worth is waiting.
    if (
      !this.paused &&
      (this.buffer.length >= 2 * this.limits.maxRecords || this.bufferedBytes >= 2 * MAX_PAYLOAD_BYTES)
    ) {
      this.paused = true;
      this.context.pause(this.partition);
    }
    this.wakeUp?.();
  }

  /** Records behind the latest offset that are not committed yet (the OffsetLag metric). */
  offsetLag(): number {
    return this.highWatermark < 0 || this.committedNext < 0 ? 0 : Math.max(0, this.highWatermark - this.committedNext);
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

  private get where(): string {
    return `kafka λ ${this.context.mapping.functionKey} ${this.context.mapping.topic}-${this.partition}`;
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
    if (!(await this.discardUninvocable(batch))) return;
    const delivered = batch.filter((entry) => entry.deliver);
    const first = batch[0]!.offset;
    const last = batch.at(-1)!.offset;
    if (delivered.length === 0) {
      const filtered = batch.filter((entry) => !entry.discarded).length;
      if ((await this.commitBefore(last + 1)) && filtered > 0)
        this.report({ firstOffset: first, lastOffset: last, records: filtered, durationMs: 0, outcome: 'filtered' });
      return;
    }
    const { mapping } = this.context;
    const offsets = delivered.map((entry) => entry.offset);
    const started = performance.now();
    this.context.count('InvokedEventCount', delivered.length);
    const outcome = await this.context
      .invoke(
        buildEvent(
          mapping.source,
          mapping.bootstrapServers,
          delivered.map((entry) => entry.record),
        ),
      )
      .then((result) =>
        readOutcome(result, {
          reportBatchItemFailures: mapping.reportBatchItemFailures === true,
          topic: mapping.topic,
          partition: this.partition,
          offsets,
        }),
      )
      .catch(
        (error: unknown): Outcome => ({
          kind: 'error',
          message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        }),
      );
    const invocation = {
      firstOffset: offsets[0]!,
      lastOffset: offsets.at(-1)!,
      records: delivered.length,
      durationMs: performance.now() - started,
    };

    if (outcome.kind === 'success') {
      if (outcome.ignored) this.warnIgnoredFailures(outcome.ignored);
      const detail = outcome.ignored
        ? `ignored ${outcome.ignored} batchItemFailures: the mapping does not enable ReportBatchItemFailures`
        : undefined;
      if (await this.commitBefore(last + 1))
        this.report({ ...invocation, outcome: 'ok', ...(detail ? { detail } : {}) });
      return;
    }
    this.context.count('FailedInvokeEventCount', delivered.length);
    if (outcome.kind === 'partial') {
      if (!(await this.commitBefore(outcome.fromOffset))) return;
      const failing = batch.filter((entry) => entry.offset >= outcome.fromOffset);
      const detail = await this.handleFailure(
        failing,
        `${outcome.failed} failed from offset ${outcome.fromOffset}`,
        false,
        invokedResponse(false),
      );
      this.report({ ...invocation, outcome: 'partial', detail });
      return;
    }
    this.context.count('InvokeErrorCount', 1);
    const detail = await this.handleFailure(
      batch,
      outcome.message,
      this.context.controls.bisectBatchOnFunctionError,
      invokedResponse(true),
    );
    this.report({ ...invocation, outcome: 'error', detail });
  }

  /**
   * Records AWS does not invoke: older than maximumRecordAgeInSeconds (to the destination, or dropped), or larger
   * than the 6 MB payload limit on their own (to the destination; without one they hold the partition). The ones
   * that leave stay in the batch undelivered, so they are committed with it. False when the batch must wait.
   */
  private async discardUninvocable(batch: Buffered[]): Promise<boolean> {
    const now = Date.now();
    const retrying = batch === this.retryBatch;
    const oversized = batch.filter(
      (entry) => entry.deliver && entry.bytes + this.limits.overheadBytes > MAX_PAYLOAD_BYTES,
    );
    const expired = batch.filter(
      (entry) =>
        entry.deliver &&
        !oversized.includes(entry) &&
        recordExpired(this.context.controls, entry.record.timestamp, now),
    );
    if (expired.length > 0) {
      const fate = await this.discard(
        expired,
        'age',
        retrying ? this.failedAttempts : 0,
        retrying ? this.lastResponse : null,
      );
      if (fate === 'stopped') return false;
      this.reportDiscard(
        expired,
        `older than maximumRecordAgeInSeconds ${this.context.controls.maximumRecordAgeInSeconds}: ${fate}`,
      );
    }
    if (oversized.length === 0) return true;
    if (!this.context.destination) {
      const offset = oversized[0]!.offset;
      this.countAttempt(batch[0]!.offset);
      this.warnBlocked(
        offset,
        `record ${offset} alone exceeds Lambda's 6 MB payload limit and there is no onFailureDestination to send it to`,
        'As in AWS, a record that can neither be invoked nor sent to a destination holds its partition, whatever maximumRetryAttempts says; set onFailureDestination on the event to move on.',
      );
      await this.retryLater(batch);
      return false;
    }
    const fate = await this.discard(oversized, 'payload', 0, null);
    if (fate === 'stopped') return false;
    this.reportDiscard(oversized, `larger than Lambda's 6 MB payload limit: ${fate}`);
    return true;
  }

  /** Decides what follows a failure (bisect, retry after backoff, or leave through the destination) and says so. */
  private async handleFailure(
    failing: Buffered[],
    error: string,
    bisect: boolean,
    response: ResponseContext,
  ): Promise<string> {
    const delivered = failing.filter((entry) => entry.deliver);
    if (bisect && delivered.length > 1) {
      this.retryBatch = failing.slice(0, firstHalf(failing));
      return `${error}; bisecting: retrying the first ${this.retryBatch.filter((entry) => entry.deliver).length} records`;
    }
    const attempts = this.countAttempt(failing[0]!.offset);
    this.lastResponse = response;
    if (retriesExhausted(this.context.controls, attempts)) {
      const fate = await this.discard(delivered, 'retries', attempts, response);
      if (fate !== 'stopped') await this.commitBefore(failing.at(-1)!.offset + 1);
      return `${error}; retries exhausted after ${attempts} attempts: ${fate}`;
    }
    // With a destination AWS caps infinite retries at 10, so -1 here means: no way out but success.
    const blocked = this.context.controls.maximumRetryAttempts === -1;
    if (blocked) this.warnBlocked(failing[0]!.offset, `${error}; attempt ${attempts}`);
    const waitMs = await this.retryLater(failing);
    return `${error}; retrying attempt ${attempts + 1} in ${waitMs} ms${blocked ? '; the partition is blocked until it succeeds' : ''}`;
  }

  /** Carries the batch into the next invocation after the backoff for the attempts so far. */
  private async retryLater(batch: Buffered[]): Promise<number> {
    this.retryBatch = batch;
    const waitMs = backoffMs(this.context.backoff, this.failedAttempts);
    await sleep(waitMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
    return waitMs;
  }

  /** Failed attempts at the records from `firstOffset` on, this one included. */
  private countAttempt(firstOffset: number): number {
    this.failedAttempts = firstOffset === this.failingOffset ? this.failedAttempts + 1 : 1;
    this.failingOffset = firstOffset;
    return this.failedAttempts;
  }

  /** A partition that only success can move on says so, once per interval (AWS says nothing; users find out late). */
  private warnBlocked(offset: number, why: string, whatToDo = RETRIED_FOREVER): void {
    const now = performance.now();
    if (
      this.lastBlockedWarningAt !== undefined &&
      now - this.lastBlockedWarningAt < this.context.blockedWarningIntervalMs
    )
      return;
    this.lastBlockedWarningAt = now;
    this.context.warn(`${this.where}: partition blocked at offset ${offset} (${why}). ${whatToDo}`);
  }

  /**
   * Sends records that leave unprocessed to the destination (AWS drops them when there is none, or when the
   * destination refuses them for good) and marks them undelivered, so they are committed with their batch.
   */
  private async discard(
    entries: Buffered[],
    reason: DiscardReason,
    approximateInvokeCount: number,
    response: ResponseContext,
  ): Promise<string> {
    const { destination, mapping } = this.context;
    let fate: string;
    if (!destination) {
      this.context.count('DroppedEventCount', entries.length);
      fate = `${entries.length} records dropped (no onFailureDestination)`;
    } else {
      const discard = {
        functionArn: localFunctionArn(mapping.functionKey),
        source: mapping.source,
        bootstrapServers: mapping.bootstrapServers,
        reason,
        approximateInvokeCount,
        response,
        records: entries.map((entry) => entry.record),
      };
      const result = await this.untilDone(
        `send to ${destination.name}`,
        'OnFailureDestinationDeliveryErrorCount',
        () => destination.deliver(discard),
        (error) => destination.isPermanent(error),
      );
      if (result === 'stopped') return 'stopped';
      const counted = result === 'done' ? 'OnFailureDestinationDeliveredEventCount' : 'DroppedEventCount';
      this.context.count(counted, entries.length);
      fate =
        result === 'done'
          ? `${entries.length} records sent to ${destination.name}`
          : `${entries.length} records dropped (${destination.name} refused them)`;
    }
    for (const entry of entries) {
      entry.deliver = false;
      entry.discarded = true;
    }
    return fate;
  }

  private warnIgnoredFailures(count: number): void {
    if (this.warnedIgnoredFailures) return;
    this.warnedIgnoredFailures = true;
    this.context.warn(
      `${this.where}: the handler returned ${count} batchItemFailures, but the mapping does not enable ReportBatchItemFailures, so AWS ignores them and commits the whole batch (the records are lost); add functionResponseTypes: [ReportBatchItemFailures] to the event. Said once per partition.`,
    );
  }

  /** Commits everything below `nextOffset` and forgets it; false when the lane stopped before the commit went through. */
  private async commitBefore(nextOffset: number): Promise<boolean> {
    if (
      (await this.untilDone('commit', 'CommitErrorCount', () => this.context.commit(this.partition, nextOffset))) !==
      'done'
    )
      return false;
    let committed = 0;
    while (this.buffer.length > 0 && this.buffer[0]!.offset < nextOffset) {
      this.bufferedBytes -= this.buffer.shift()!.bytes;
      committed += 1;
    }
    this.context.count('CommittedEventCount', committed);
    this.committedNext = Math.max(this.committedNext, nextOffset);
    if (this.retryBatch && this.retryBatch[0]!.offset < nextOffset) this.retryBatch = undefined;
    if (this.failingOffset < nextOffset) {
      this.failedAttempts = 0;
      this.lastBlockedWarningAt = undefined;
    }
    if (this.paused && this.buffer.length < this.limits.maxRecords && this.bufferedBytes < MAX_PAYLOAD_BYTES) {
      this.paused = false;
      this.context.resume(this.partition);
    }
    return true;
  }

  /**
   * Retries a side effect (the broker or MinIO may be restarting) until it succeeds, fails for good
   * (`isPermanent`), or the lane stops.
   */
  private async untilDone(
    what: string,
    errorMetric: EventCountName,
    operation: () => Promise<void>,
    isPermanent: (error: unknown) => boolean = () => false,
  ): Promise<'done' | 'failed' | 'stopped'> {
    for (let attempt = 1; !this.stopped; attempt += 1) {
      try {
        await operation();
        return 'done';
      } catch (error) {
        this.context.count(errorMetric, 1);
        if (isPermanent(error)) {
          this.context.warn(
            `${this.where}: ${what} failed for good (${(error as Error).message}); as AWS does, the records are dropped`,
          );
          return 'failed';
        }
        const waitMs = backoffMs(SIDE_EFFECT_BACKOFF, attempt);
        this.context.warn(`${this.where}: ${what} failed (${(error as Error).message}); trying again in ${waitMs} ms`);
        await sleep(waitMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
      }
    }
    return 'stopped';
  }

  private reportDiscard(entries: Buffered[], detail: string): void {
    this.report({
      firstOffset: entries[0]!.offset,
      lastOffset: entries.at(-1)!.offset,
      records: entries.length,
      durationMs: 0,
      outcome: 'discarded',
      detail,
    });
  }

  private report(summary: Summary): void {
    this.context.report({
      functionKey: this.context.mapping.functionKey,
      topic: this.context.mapping.topic,
      partition: this.partition,
      ...summary,
    });
  }
}
