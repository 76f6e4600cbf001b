/** One concise line per invocation (pure). */

/** `discarded`: not invoked (too old, or too large) and sent to the on-failure destination or dropped. */
export type InvocationOutcome = 'ok' | 'partial' | 'error' | 'filtered' | 'discarded';

export interface InvocationSummary {
  functionKey: string;
  topic: string;
  partition: number;
  firstOffset: number;
  lastOffset: number;
  /** Records delivered (or, for `filtered` and `discarded`, skipped without an invocation). */
  records: number;
  durationMs: number;
  outcome: InvocationOutcome;
  /** What failed and what happens next (retry, bisect, on-failure destination). */
  detail?: string;
}

export function formatInvocation(summary: InvocationSummary): string {
  const { functionKey, topic, partition, firstOffset, lastOffset, records, durationMs, outcome, detail } = summary;
  const offsets = firstOffset === lastOffset ? `${firstOffset}` : `${firstOffset}..${lastOffset}`;
  return `kafka λ ${functionKey} ${topic}-${partition} @${offsets} ${records} record${records === 1 ? '' : 's'} ${durationMs.toFixed(0)} ms ${outcome}${detail ? `: ${detail}` : ''}`;
}
