/**
 * Reading a handler's result as Lambda does for Kafka partial batch responses (pure).
 * https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html#kafka-partial-batch-response:
 * `{"batchItemFailures":[{"itemIdentifier":{"partition":"<topic>-<partition>","offset":<n>}}]}`; an empty or null
 * response is success; "any invalid topic-partition_number or offset returned that was not present in the invoked
 * event will be treated as failure and entire batch will be retried". Only honoured with ReportBatchItemFailures.
 */
import { recordsKey } from './event';

export type Outcome =
  /** `ignored`: the handler returned failures the mapping does not read (no ReportBatchItemFailures). */
  | { kind: 'success'; ignored?: number }
  /** Records from `fromOffset` on failed; the ones before it succeeded. */
  | { kind: 'partial'; fromOffset: number; failed: number }
  | { kind: 'error'; message: string };

export interface InvokedBatch {
  /** `FunctionResponseTypes: [ReportBatchItemFailures]` on the mapping. */
  reportBatchItemFailures: boolean;
  topic: string;
  partition: number;
  /** Offsets of the records the event carried, ascending. */
  offsets: readonly number[];
}

const EXPECTED =
  'AWS expects {"batchItemFailures":[{"itemIdentifier":{"partition":"<topic>-<partition>","offset":<number>}}]}, naming records of the event';

export function readOutcome(result: unknown, batch: InvokedBatch): Outcome {
  const failures = (result as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
  if (failures === undefined || failures === null || (Array.isArray(failures) && failures.length === 0))
    return { kind: 'success' };
  // Without the opt-in Lambda never reads the response: the batch succeeded and its offsets are committed.
  if (!batch.reportBatchItemFailures)
    return { kind: 'success', ignored: Array.isArray(failures) ? failures.length : 1 };
  if (!Array.isArray(failures))
    return { kind: 'error', message: `batchItemFailures is ${JSON.stringify(failures)}, not a list; ${EXPECTED}` };

  const key = recordsKey(batch.topic, batch.partition);
  const failedOffsets: number[] = [];
  for (const failure of failures) {
    const identifier = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    const { partition, offset } = (typeof identifier === 'object' && identifier !== null ? identifier : {}) as {
      partition?: unknown;
      offset?: unknown;
    };
    // The partition is the event's records key (a string), the offset a JSON number: other forms name no record.
    if (partition !== key || typeof offset !== 'number' || !batch.offsets.includes(offset)) {
      return {
        kind: 'error',
        message: `batchItemFailures item ${JSON.stringify(failure)} names no record of the batch (${key} offsets ${batch.offsets[0]}..${batch.offsets.at(-1)}); ${EXPECTED}. The whole batch failed`,
      };
    }
    failedOffsets.push(offset);
  }
  // As for streams, the lowest failed offset is the checkpoint: everything from it on is retried.
  const fromOffset = Math.min(...failedOffsets);
  return { kind: 'partial', fromOffset, failed: batch.offsets.filter((o) => o >= fromOffset).length };
}
