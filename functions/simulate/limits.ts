import type { Context } from 'aws-lambda';
import { InvalidPayloadError } from '../../shared/middleware';
import type { Reading } from '../../shared/schemas/reading';
import { LIMITS, type SimulateRequest } from './request';

/** Lambda's limit on the response of a synchronous invocation: 6 MB. */
export const SYNC_RESPONSE_LIMIT_BYTES = 6_291_456;

/** The function's timeout (serverless.yml, provider.timeout), for a caller that passes no Lambda context. */
export const CONFIGURED_TIMEOUT_MS = 120_000;

/** Time kept for what surrounds the sending: loading the dataset on a cold start, the QC file, disconnecting. */
const RESERVE_MS = 10_000;

/** A dry run's result without its messages is a few hundred bytes; this bounds it. */
const DRY_RUN_ENVELOPE_BYTES = 1024;

/** The request is valid but more than one invocation can do; the message gives the numbers and the fix. */
export class RequestOverLimitError extends InvalidPayloadError {
  override name = 'RequestOverLimitError';
}

/** What is left of the invocation's time: Lambda's own count when there is one, else the configured timeout. */
export function timeLeftMs(context: Partial<Pick<Context, 'getRemainingTimeInMillis'>>): number {
  return typeof context.getRemainingTimeInMillis === 'function'
    ? context.getRemainingTimeInMillis()
    : CONFIGURED_TIMEOUT_MS;
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;

/** The ways to shrink a request to at most `maxCount` readings per station, as a "Fix:" sentence. */
function fixes(request: SimulateRequest, maxCount: number, alsoRate?: string): string {
  const options =
    maxCount >= 1
      ? [
          `lower count to at most ${maxCount}`,
          alsoRate,
          `split it into ${Math.ceil(request.count / maxCount)} requests of count ${maxCount} or less`,
        ]
      : [alsoRate];
  const present = options.filter((o): o is string => o !== undefined);
  return present.length > 0 ? `Fix: ${present.join(', or ')}.` : 'Fix: raise the function timeout.';
}

/**
 * Refuses a paced request that cannot finish in time: count × stations messages at `rate` take
 * messages/rate seconds. (An unpaced request goes as fast as the broker takes it: no estimate.)
 */
export function checkSendTime(request: SimulateRequest, leftMs: number): void {
  if (request.dryRun || request.rate === undefined) return;
  const messages = request.count * request.stations;
  const neededMs = (messages / request.rate) * 1000;
  const availableMs = leftMs - RESERVE_MS;
  if (neededMs <= availableMs) return;
  const maxCount = Math.floor(((Math.max(availableMs, 0) / 1000) * request.rate) / request.stations);
  const minRate = Math.ceil(messages / (availableMs / 1000));
  const raiseRate = availableMs > 0 && minRate <= LIMITS.rate.max ? `raise rate to at least ${minRate}` : undefined;
  throw new RequestOverLimitError(
    `${messages} messages (count ${request.count} × stations ${request.stations}) at rate ${request.rate}/s need ${seconds(neededMs)} s, ` +
      `but ${seconds(Math.max(availableMs, 0))} s are available (${seconds(leftMs)} s left of the function's timeout, less ${seconds(RESERVE_MS)} s for loading the dataset and finishing); nothing was sent. ${fixes(request, maxCount, raiseRate)}`,
  );
}

/**
 * Refuses a dry run whose response would exceed Lambda's synchronous response limit, estimated from
 * the largest of a sample of its readings (checked before the rest are built).
 */
export function checkDryRunSize(request: SimulateRequest, sample: readonly Reading[]): void {
  if (!request.dryRun || sample.length === 0) return;
  const messages = request.count * request.stations;
  // Each reading in the JSON array, with its comma.
  const perMessage = Math.max(...sample.map((r) => Buffer.byteLength(JSON.stringify(r)))) + 1;
  const estimate = DRY_RUN_ENVELOPE_BYTES + messages * perMessage;
  if (estimate <= SYNC_RESPONSE_LIMIT_BYTES) return;
  const maxCount = Math.floor((SYNC_RESPONSE_LIMIT_BYTES - DRY_RUN_ENVELOPE_BYTES) / (perMessage * request.stations));
  throw new RequestOverLimitError(
    `A dry run of ${messages} messages (count ${request.count} × stations ${request.stations}) would return about ${estimate.toLocaleString('en-US')} bytes (up to ${perMessage} bytes a message), ` +
      `over Lambda's ${SYNC_RESPONSE_LIMIT_BYTES.toLocaleString('en-US')}-byte (6 MB) limit for a synchronous response. ${fixes(request, maxCount)}`,
  );
}
