import type { EventSource } from './event';
import type { FilterPattern } from './filter';

export type StartingPosition = { type: 'TRIM_HORIZON' } | { type: 'LATEST' } | { type: 'AT_TIMESTAMP'; timestampMs: number };

/** One event source mapping, resolved from a function's `kafka` or `msk` event. */
export interface MappingSettings {
  /** The function the mapping invokes; names it in logs and dead-letter headers. */
  functionKey: string;
  source: EventSource;
  bootstrapServers: string[];
  topic: string;
  /** 1..10000 records per invocation. */
  batchSize: number;
  maximumBatchingWindowMs: number;
  startingPosition: StartingPosition;
  consumerGroupId: string;
  filterPatterns: FilterPattern[];
  /** Topic that receives records exhausting the retry policy; without one they are retried forever, as in Lambda. */
  onFailureTopic?: string;
}
