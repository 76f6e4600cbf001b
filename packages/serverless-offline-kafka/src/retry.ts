/** The retry policy applied when a handler fails (pure). */

export interface RetryPolicy {
  /** Retries after the first failed attempt before the records go to the on-failure destination; -1 retries forever (Lambda's Kafka default). */
  maximumRetryAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  backoffMultiplier: number;
  /** On a thrown error, retry the first half of the batch first; halving does not count as a retry (as in Lambda). */
  bisectBatchOnFunctionError: boolean;
}

export const defaultRetryPolicy: RetryPolicy = {
  maximumRetryAttempts: 3,
  initialBackoffMs: 1000,
  maxBackoffMs: 30_000,
  backoffMultiplier: 2,
  bisectBatchOnFunctionError: false,
};

/** Wait before the next attempt, after `failedAttempts` (1, 2, ...) failures of the same records. */
export function backoffMs(policy: RetryPolicy, failedAttempts: number): number {
  return Math.min(policy.maxBackoffMs, policy.initialBackoffMs * policy.backoffMultiplier ** Math.max(0, failedAttempts - 1));
}

export function retriesExhausted(policy: RetryPolicy, failedAttempts: number): boolean {
  return policy.maximumRetryAttempts >= 0 && failedAttempts > policy.maximumRetryAttempts;
}

export function validateRetryPolicy(policy: RetryPolicy): RetryPolicy {
  const problems = [
    !Number.isInteger(policy.maximumRetryAttempts) || policy.maximumRetryAttempts < -1 ? 'maximumRetryAttempts must be an integer >= -1 (-1 = forever)' : '',
    !(policy.initialBackoffMs >= 0) ? 'initialBackoffMs must be >= 0' : '',
    !(policy.maxBackoffMs >= policy.initialBackoffMs) ? 'maxBackoffMs must be >= initialBackoffMs' : '',
    !(policy.backoffMultiplier >= 1) ? 'backoffMultiplier must be >= 1' : '',
  ].filter(Boolean);
  if (problems.length > 0) throw new Error(`Invalid retry policy ${JSON.stringify(policy)}: ${problems.join('; ')}.`);
  return policy;
}
