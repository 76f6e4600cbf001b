/**
 * What happens after a handler fails (pure): AWS's error handling controls of the mapping, and the local backoff
 * between attempts. Controls: https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html
 */
import type { ErrorHandling, MappingSettings } from './mapping';

/** The local wait between attempts (AWS does not document its own; the defaults keep a poison record cheap). */
export interface RetryPolicy {
  initialBackoffMs: number;
  maxBackoffMs: number;
  backoffMultiplier: number;
}

export const defaultRetryPolicy: RetryPolicy = { initialBackoffMs: 1000, maxBackoffMs: 30_000, backoffMultiplier: 2 };

/** AWS's controls with its defaults applied: `maximumRetryAttempts` is the one in force (-1 = forever). */
export type ErrorControls = ErrorHandling;

/** "When you configure both infinite retries and an on-failure destination, Lambda automatically applies a maximum of 10 retry attempts." */
const RETRIES_WITH_DESTINATION = 10;

/** What is wrong with declared controls, against AWS's limits (kafka-retry-configurations: 0-10000 or -1; 60-604800 or -1). */
export function errorHandlingProblems({
  maximumRetryAttempts,
  maximumRecordAgeInSeconds,
}: Partial<ErrorHandling>): string[] {
  return [
    maximumRetryAttempts === undefined ||
    (Number.isInteger(maximumRetryAttempts) && maximumRetryAttempts >= -1 && maximumRetryAttempts <= 10_000)
      ? ''
      : `maximumRetryAttempts ${maximumRetryAttempts} must be -1 (retry forever, AWS's default) or an integer from 0 to 10000`,
    maximumRecordAgeInSeconds === undefined ||
    maximumRecordAgeInSeconds === -1 ||
    (Number.isInteger(maximumRecordAgeInSeconds) &&
      maximumRecordAgeInSeconds >= 60 &&
      maximumRecordAgeInSeconds <= 604_800)
      ? ''
      : `maximumRecordAgeInSeconds ${maximumRecordAgeInSeconds} must be -1 (no limit, AWS's default) or whole seconds from 60 to 604800`,
  ].filter(Boolean);
}

/** Reads the mapping's controls with AWS's defaults and limits. */
export function errorControls(
  mapping: Pick<MappingSettings, 'errorHandling' | 'onFailureDestination' | 'functionKey'>,
): ErrorControls {
  const problems = errorHandlingProblems(mapping.errorHandling ?? {});
  if (problems.length > 0) throw new Error(`kafka λ ${mapping.functionKey}: ${problems.join('; ')}, as AWS accepts.`);
  const {
    maximumRetryAttempts = -1,
    maximumRecordAgeInSeconds = -1,
    bisectBatchOnFunctionError = false,
  } = mapping.errorHandling ?? {};
  const inForce =
    maximumRetryAttempts === -1 && mapping.onFailureDestination ? RETRIES_WITH_DESTINATION : maximumRetryAttempts;
  return { maximumRetryAttempts: inForce, maximumRecordAgeInSeconds, bisectBatchOnFunctionError };
}

/** Exhausted after the first attempt plus `maximumRetryAttempts` retries; never with -1. */
export function retriesExhausted(controls: ErrorControls, failedAttempts: number): boolean {
  return controls.maximumRetryAttempts >= 0 && failedAttempts > controls.maximumRetryAttempts;
}

/** Older than `maximumRecordAgeInSeconds`, by the record's own timestamp: AWS no longer invokes the function with it. */
export function recordExpired(controls: ErrorControls, recordTimestampMs: number, nowMs: number): boolean {
  return (
    controls.maximumRecordAgeInSeconds >= 0 && nowMs - recordTimestampMs > controls.maximumRecordAgeInSeconds * 1000
  );
}

/** Wait before the next attempt, after `failedAttempts` (1, 2, ...) failures of the same records. */
export function backoffMs(policy: RetryPolicy, failedAttempts: number): number {
  return Math.min(
    policy.maxBackoffMs,
    policy.initialBackoffMs * policy.backoffMultiplier ** Math.max(0, failedAttempts - 1),
  );
}

/** The AWS controls moved to the mapping; naming them here is a mistake worth a precise error. */
const MOVED_TO_THE_EVENT = ['maximumRetryAttempts', 'maximumRecordAgeInSeconds', 'bisectBatchOnFunctionError'];

export function validateRetryPolicy(policy: RetryPolicy): RetryPolicy {
  const moved = MOVED_TO_THE_EVENT.filter((name) => name in policy);
  const problems = [
    moved.length > 0
      ? `${moved.join(', ')} ${moved.length === 1 ? 'is an' : 'are'} AWS error handling control${moved.length === 1 ? '' : 's'}: set ${moved.length === 1 ? 'it' : 'them'} on the kafka/msk event, not in retry (which only times the local backoff)`
      : '',
    !(policy.initialBackoffMs >= 0) ? 'initialBackoffMs must be >= 0' : '',
    !(policy.maxBackoffMs >= policy.initialBackoffMs) ? 'maxBackoffMs must be >= initialBackoffMs' : '',
    !(policy.backoffMultiplier >= 1) ? 'backoffMultiplier must be >= 1' : '',
  ].filter(Boolean);
  if (problems.length > 0) throw new Error(`Invalid retry policy ${JSON.stringify(policy)}: ${problems.join('; ')}.`);
  return policy;
}
