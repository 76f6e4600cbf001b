/** Cutting the next invocation's batch from a partition's buffered records (pure). */

/** Lambda's synchronous invocation payload limit (6 MB), which the serialized event must respect. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

export interface Sized {
  /** Serialized size of the record inside the event. */
  bytes: number;
  /** False when a filter pattern dropped the record: it is committed with the batch but not delivered. */
  deliver: boolean;
}

export interface BatchLimits {
  maxRecords: number;
  maxPayloadBytes: number;
  /** Serialized size of the event around its records. */
  overheadBytes: number;
}

export interface Cut {
  /** How many leading buffered records the batch takes (delivered and filtered ones). */
  take: number;
  /** How many of them are delivered. */
  delivered: number;
  /** True when a limit stopped the batch: invoke now instead of waiting for the batching window. */
  full: boolean;
}

export function cutBatch(buffered: readonly Sized[], limits: BatchLimits): Cut {
  let take = 0;
  let delivered = 0;
  let bytes = limits.overheadBytes;
  for (const record of buffered) {
    if (record.deliver) {
      const withSeparator = bytes + record.bytes + (delivered > 0 ? 1 : 0);
      // A single oversized record is cut alone: the lane does not invoke it (AWS: MaximumPayloadSizeExceeded).
      if (delivered === limits.maxRecords || (delivered > 0 && withSeparator > limits.maxPayloadBytes))
        return { take, delivered, full: true };
      bytes = withSeparator;
      delivered += 1;
    }
    take += 1;
  }
  return { take, delivered, full: delivered === limits.maxRecords || bytes >= limits.maxPayloadBytes };
}

/** How many leading records of a failed batch hold the first half of its delivered records (bisect on error). */
export function firstHalf(batch: readonly Sized[]): number {
  let remaining = Math.ceil(batch.filter((record) => record.deliver).length / 2);
  let take = 0;
  while (remaining > 0 && take < batch.length) {
    if (batch[take]!.deliver) remaining -= 1;
    take += 1;
  }
  return take;
}
