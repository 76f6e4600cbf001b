import type { KafkaRecord, PlacedRecord } from '../../shared/kafka-event';
import { readReading, type RejectionKind } from '../../shared/kafka-reading';
import { dataFileKey, dayStart, parseDataFileKey, type LakeRow } from '../../shared/lake';
import type { Reading } from '../../shared/schemas/reading';

export interface Rejection {
  record: KafkaRecord;
  kind: RejectionKind;
  reason: string;
}

export interface LakeFile {
  key: string;
  rows: LakeRow[];
}

/** What one batch of one partition does to the lake. */
export interface PartitionPlan {
  topic: string;
  partition: number;
  /** Records below the watermark: already in the lake, delivered again. */
  redelivered: number;
  files: LakeFile[];
  rejected: Rejection[];
  /** The watermark once this batch is written; undefined when the batch holds nothing new. */
  nextOffset?: number;
}

export function toLakeRow(reading: Reading, record: Pick<KafkaRecord, 'partition' | 'offset'>): LakeRow {
  return {
    eventId: reading.eventId,
    stationId: reading.stationId,
    sequence: reading.sequence,
    observedAt: Date.parse(reading.observedAt),
    sourceTime: Date.parse(reading.sourceTime),
    readings: reading.readings,
    imputed: reading.quality.imputed,
    clipped: reading.quality.clipped,
    partition: record.partition,
    offset: record.offset,
  };
}

/** Rows grouped by the UTC day of observedAt, each group in offset order, groups by their first offset. */
export function bucketByDay(rows: readonly LakeRow[]): LakeRow[][] {
  const buckets = new Map<number, LakeRow[]>();
  for (const row of [...rows].sort((a, b) => a.offset - b.offset)) {
    const day = dayStart(row.observedAt);
    const bucket = buckets.get(day);
    if (bucket) bucket.push(row);
    else buckets.set(day, [row]);
  }
  return [...buckets.values()];
}

/**
 * Plans one partition's batch against its watermark (the next offset to write):
 *   - records below the watermark are dropped: a redelivery of what is already in the lake;
 *   - valid records become one file per event day (UTC), named by the first offset of that day among
 *     the records kept, so a redelivery of the same records rewrites the same keys instead of adding files;
 *   - invalid records are rejected (dead-letter topic) but still move the watermark past them.
 * `records` are one partition's, in offset order.
 */
export function planPartition(records: readonly PlacedRecord[], watermark: number): PartitionPlan {
  const { topic, partition } = records[0];
  const fresh = records.filter((r) => r.offset >= watermark);
  const rows: LakeRow[] = [];
  const rejected: Rejection[] = [];
  for (const record of fresh) {
    const read = readReading(record);
    if (read.ok) rows.push(toLakeRow(read.reading, record));
    else rejected.push({ record: read.record, kind: read.kind, reason: read.reason });
  }
  const files = bucketByDay(rows).map((bucket) => ({
    key: dataFileKey(topic, partition, bucket[0].offset, bucket[0].observedAt),
    rows: bucket,
  }));
  return {
    topic,
    partition,
    redelivered: records.length - fresh.length,
    files,
    rejected,
    nextOffset: fresh.length > 0 ? fresh[fresh.length - 1].offset + 1 : undefined,
  };
}

/**
 * The files of unfinished attempts once a batch ending before `nextOffset` has written `written`:
 *   - `pending`: files starting at or above `nextOffset`, which a later batch rewrites;
 *   - `orphans`: files starting below it that this batch did not rewrite. A batch that starts where the
 *     watermark stands rewrites every such file, so an orphan lies in offsets the event source mapping
 *     skipped (records it sent to its on-failure destination after retries): they must go before the
 *     watermark passes them, or readers would count a failed attempt's rows.
 */
export function settlePending(
  pending: readonly string[],
  written: readonly string[],
  nextOffset: number,
): { pending: string[]; orphans: string[] } {
  const rewritten = new Set(written);
  const leftovers = [...new Set(pending)].filter((key) => !rewritten.has(key));
  const startsAt = (key: string) => {
    const file = parseDataFileKey(key);
    if (file?.kind !== 'small')
      throw new Error(
        `"${key}" in a watermark's pending list is not a lake data file key; fix or delete the watermark.`,
      );
    return file.startOffset;
  };
  return {
    pending: leftovers.filter((key) => startsAt(key) >= nextOffset),
    orphans: leftovers.filter((key) => startsAt(key) < nextOffset),
  };
}
