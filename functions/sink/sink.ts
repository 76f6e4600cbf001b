/**
 * Kafka → lake, exactly once for readers of the lake, whatever fails and however often a batch is redelivered.
 *
 * Per partition of the event, with W = the partition's watermark object (next offset to write):
 *   1. records below W are dropped: the lake already holds them;
 *   2. the batch claims the partition: its own claim id and the keys it will write (added to W's `pending`
 *      list) go into W in a conditional write on W's ETag;
 *   3. each event day (UTC) of the remaining valid records is written as one Parquet file named by the
 *      first offset of that day among them. Those names depend only on W and the records, so a
 *      redelivery after a failure overwrites the files of the failed attempt instead of adding new ones
 *      (a file of a failed attempt that a shorter redelivery does not reach is overwritten by the first
 *      later batch that holds its first offset, before W passes any of its rows). Each file write is
 *      conditional on the version seen after the claim (absent, unless W's pending list names it);
 *   4. rejected records go to the dead-letter topic (at least once: a redelivery may send them again,
 *      with the same source topic/partition/offset headers to deduplicate on);
 *   5. pending files of failed attempts that no batch can rewrite any more (the mapping skipped their
 *      offsets) are deleted, and listed in W's `hidden` so that a stale writer re-creating one is harmless;
 *   6. only when all of that is durable, W moves past the batch (conditional write again). Then the event
 *      source mapping may commit the offsets.
 * A failure anywhere throws, the batch is delivered again and resumes from W. Rows at or above W are not
 * committed yet: `readLake` leaves them out.
 *
 * The mapping invokes a partition sequentially, but after a rebalance a new invocation may start from the
 * committed offset while the old one still runs. Of two such writers, the one that claimed first finds W's
 * claim or a file changed under it and fails before moving W, so it cannot overwrite the other's files or
 * commit its own: its batch is redelivered. `compact` writes W too (its `compacted` days), never the sink's
 * fields: a conditional write lost to it is repeated on the new W.
 */
import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import { partitionsOf, type KafkaEvent, type PlacedRecord } from '../../shared/kafka-event';
import type { RejectionKind } from '../../shared/kafka-reading';
import {
  lakeParquet,
  PartitionStateChangedError,
  readWatermark,
  writeWatermark,
  type PartitionState,
  type Watermark,
} from '../../shared/lake';
import { onLostCondition, unchangedSince, type ObjectStore } from '../../shared/object-store';
import type { MessageProducer } from '../../shared/producer';
import { deadLetterMessage } from './dead-letter';
import { planPartition, settlePending } from './plan';

export interface SinkPorts {
  store: ObjectStore;
  deadLetters: MessageProducer;
  deadLetterTopic: string;
  /** Milliseconds from a monotonic clock, for the flush latency. */
  now: () => number;
}

export interface PartitionResult {
  topic: string;
  partition: number;
  written: number;
  rejected: number;
  /** Why each rejected record went to the dead-letter topic. */
  rejections: { offset: number; kind: RejectionKind; reason: string }[];
  redelivered: number;
  files: number;
  bytes: number;
  /** Files of failed attempts deleted because the mapping skipped their offsets. */
  orphansDeleted: number;
  /** From the first write to the watermark advanced; 0 when nothing was new. */
  flushMs: number;
  /** The watermark after the batch. */
  nextOffset: number;
}

/** Object requests in flight per partition. */
const WRITE_CONCURRENCY = 16;

/** Conditional writes of W repeated after losing to compactions; more means something else rewrites W. */
const MAX_STATE_WRITES = 5;

export class WatermarkConflictError extends Error {
  override name = 'WatermarkConflictError';
}

export async function sinkPartition(records: readonly PlacedRecord[], ports: SinkPorts): Promise<PartitionResult> {
  const { topic, partition } = records[0];
  const watermark = await readWatermark(ports.store, topic, partition);
  const plan = planPartition(records, watermark.nextOffset);
  const result = {
    topic,
    partition,
    written: 0,
    rejected: 0,
    rejections: [],
    redelivered: plan.redelivered,
    files: 0,
    bytes: 0,
    orphansDeleted: 0,
    flushMs: 0,
    nextOffset: watermark.nextOffset,
  };
  if (plan.nextOffset === undefined) return result;
  const nextOffset = plan.nextOffset;

  const started = ports.now();
  const written = plan.files.map((file) => file.key);
  const known = new Set(watermark.pending);
  const claimId = randomUUID();
  const claim = await writeOwnState(ports.store, records, watermark, (state) => ({
    claim: claimId,
    pending: [...state.pending, ...written.filter((key) => !state.pending.includes(key))],
  }));
  const versions = await versionsUnderClaim(
    ports.store,
    records,
    written.filter((key) => known.has(key)),
    claimId,
  );
  const limit = pLimit(WRITE_CONCURRENCY);
  const sizes = await Promise.all(
    plan.files.map((file) =>
      limit(async () => {
        const body = lakeParquet(file.rows);
        await fenced(records, `${file.key} was written by another invocation`, () =>
          ports.store.put(file.key, body, {
            contentType: 'application/vnd.apache.parquet',
            ...unchangedSince(versions.get(file.key)),
          }),
        );
        return body.length;
      }),
    ),
  );
  if (plan.rejected.length > 0)
    await ports.deadLetters.send(ports.deadLetterTopic, plan.rejected.map(deadLetterMessage));
  const { pending, orphans } = settlePending(claim.pending, written, nextOffset);
  if (orphans.length > 0) await ports.store.delete(orphans);
  await writeOwnState(ports.store, records, claim, (state) => ({
    nextOffset,
    pending,
    hidden: [...state.hidden, ...orphans.filter((key) => !state.hidden.includes(key))],
  }));
  return {
    ...result,
    written: plan.files.reduce((n, f) => n + f.rows.length, 0),
    rejected: plan.rejected.length,
    rejections: plan.rejected.map(({ record, kind, reason }) => ({ offset: record.offset, kind, reason })),
    files: plan.files.length,
    bytes: sizes.reduce((a, b) => a + b, 0),
    orphansDeleted: orphans.length,
    flushMs: ports.now() - started,
    nextOffset,
  };
}

/** What a sink invocation owns in W; compaction leaves it as it is. */
const sinkFields = (state: PartitionState): string => JSON.stringify([state.nextOffset, state.pending, state.claim]);

/**
 * A conditional write of W as `current` changed by `change`. Losing it to a compaction (the sink's fields
 * unchanged) repeats it on the new W; losing it to another sink invocation means that one has the partition.
 */
async function writeOwnState(
  store: ObjectStore,
  records: readonly PlacedRecord[],
  current: Watermark,
  change: (state: PartitionState) => Partial<PartitionState>,
): Promise<Watermark> {
  const { topic, partition } = records[0];
  for (let attempt = 1; ; attempt++) {
    try {
      return await writeWatermark(store, current, change(current));
    } catch (error) {
      if (!(error instanceof PartitionStateChangedError)) throw error;
      const fresh = await readWatermark(store, topic, partition);
      if (sinkFields(fresh) !== sinkFields(current) || attempt === MAX_STATE_WRITES)
        throw conflict(records, 'the watermark moved', error);
      current = fresh;
    }
  }
}

/**
 * The versions of `keys` (ETag, or undefined when absent) to write on. A read may see an object that a later
 * claimant already wrote, so when anything was found W is read again: it must still hold this invocation's claim.
 * Writes conditional on these versions then fail if anyone else touches the keys.
 */
async function versionsUnderClaim(
  store: ObjectStore,
  records: readonly PlacedRecord[],
  keys: readonly string[],
  claimId: string,
): Promise<Map<string, string | undefined>> {
  const { topic, partition } = records[0];
  const limit = pLimit(WRITE_CONCURRENCY);
  const versions = new Map<string, string | undefined>(
    await Promise.all(keys.map((key) => limit(async () => [key, (await store.head(key))?.etag] as const))),
  );
  if (
    [...versions.values()].some((etag) => etag !== undefined) &&
    (await readWatermark(store, topic, partition)).claim !== claimId
  )
    throw conflict(records, 'another invocation claimed the partition');
  return versions;
}

/** Runs a conditional operation; a lost condition means another invocation has the partition. */
function fenced<T>(records: readonly PlacedRecord[], what: string, operation: () => Promise<T>): Promise<T> {
  return onLostCondition(operation, (cause) => conflict(records, what, cause));
}

function conflict(records: readonly PlacedRecord[], what: string, cause?: Error): WatermarkConflictError {
  const { topic, partition } = records[0];
  return new WatermarkConflictError(
    `While this batch of ${topic}-${partition} (offsets ${records[0].offset}..${records.at(-1)!.offset}) was written, ${what}: another invocation owns the partition. ` +
      'The batch fails and is delivered again, and records below the new watermark are dropped; if this repeats, make sure only one consumer group writes this topic to the lake.',
    { cause },
  );
}

/** Every partition of the event, concurrently (each partition has its own watermark). */
export function sink(event: KafkaEvent, ports: SinkPorts): Promise<PartitionResult[]> {
  return Promise.all(partitionsOf(event).map((records) => sinkPartition(records, ports)));
}
