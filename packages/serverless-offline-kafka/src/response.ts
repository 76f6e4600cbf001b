/** Reading a handler's result as Lambda does for Kafka partial batch responses (pure). */

export type Outcome =
  | { kind: 'success' }
  /** Records from `fromOffset` on failed; the ones before it succeeded. */
  | { kind: 'partial'; fromOffset: number; failed: number }
  | { kind: 'error'; message: string };

interface ItemIdentifier {
  partition?: unknown;
  offset?: unknown;
}

/**
 * `{ batchItemFailures: [{ itemIdentifier: { partition, offset } }] }`; an offset alone (number or string)
 * is accepted too. As in Lambda, a malformed response fails the whole batch.
 */
export function readOutcome(result: unknown, partition: number, offsets: readonly number[]): Outcome {
  const failures = (result as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'error', message: 'batchItemFailures is not an array' };
  if (failures.length === 0) return { kind: 'success' };
  const failedOffsets: number[] = [];
  for (const failure of failures) {
    const identifier = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    const { partition: itemPartition, offset } = (typeof identifier === 'object' && identifier !== null ? identifier : { offset: identifier }) as ItemIdentifier;
    const value = Number(offset);
    if (itemPartition !== undefined && Number(itemPartition) !== partition) {
      return { kind: 'error', message: `batchItemFailures names partition ${String(itemPartition)}, but the batch holds partition ${partition}` };
    }
    if (offset === '' || offset === null || !offsets.includes(value)) {
      return { kind: 'error', message: `batchItemFailures names offset ${JSON.stringify(offset)}, which is not in the batch (${offsets[0]}..${offsets.at(-1)})` };
    }
    failedOffsets.push(value);
  }
  const fromOffset = Math.min(...failedOffsets);
  return { kind: 'partial', fromOffset, failed: offsets.filter((o) => o >= fromOffset).length };
}
