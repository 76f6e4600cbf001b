/** One concise line per invocation (pure). */

export type InvocationOutcome = 'ok' | 'partial' | 'error' | 'filtered';

export interface InvocationSummary {
  functionKey: string;
  topic: string;
  partition: number;
  firstOffset: number;
  lastOffset: number;
  /** Records delivered (or, for `filtered`, skipped without an invocation). */
  records: number;
  durationMs: number;
  outcome: InvocationOutcome;
  /** What failed and what happens next (retry, bisect, dead letter). */
  detail?: string;
}

export function formatInvocation(summary: InvocationSummary): string {
  const { functionKey, topic, partition, firstOffset, lastOffset, records, durationMs, outcome, detail } = summary;
  const offsets = firstOffset === lastOffset ? `${firstOffset}` : `${firstOffset}..${lastOffset}`;
  return `kafka λ ${functionKey} ${topic}-${partition} @${offsets} ${records} record${records === 1 ? '' : 's'} ${durationMs.toFixed(0)} ms ${outcome}${detail ? `: ${detail}` : ''}`;
}
