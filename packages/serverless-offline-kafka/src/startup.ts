/**
 * Starting a mapping against a broker that is still coming up: a fresh KRaft broker answers connections before
 * its group coordinator has loaded __consumer_offsets ("This is not the correct coordinator for this group").
 * Transient errors are retried with backoff until a deadline, saying so at once and every few seconds (pure:
 * the clock and the sleep are given).
 */

export interface WaitOptions {
  /** One try; resolves when the broker is ready. */
  attempt: () => Promise<void>;
  timeoutMs: number;
  /** Called on the first transient error, then at most once per progressEveryMs while waiting. */
  onProgress: (error: Error, waitedMs: number) => void;
  progressEveryMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** kafkajs errors that a broker still starting (or restarting) gives; anything else will not go away by waiting. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { name, retriable, cause } = error as Error & { retriable?: boolean };
  if (retriable === true) return true;
  // Non-retriable wrappers of errors that were retried already (and may succeed a little later).
  if (
    name === 'KafkaJSNumberOfRetriesExceeded' ||
    name === 'KafkaJSGroupCoordinatorNotFound' ||
    name === 'KafkaJSNoBrokerAvailableError'
  )
    return true;
  return cause !== undefined && cause !== error && isTransient(cause);
}

/** 250 ms, doubling, at most 2 s between tries. */
const startupBackoffMs = (failedAttempts: number) => Math.min(2000, 250 * 2 ** Math.max(0, failedAttempts - 1));

export class StartTimeoutError extends Error {
  override name = 'StartTimeoutError';
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function waitUntilReady(options: WaitOptions): Promise<void> {
  const { attempt, timeoutMs, onProgress, progressEveryMs = 5000, now = Date.now, sleep = realSleep } = options;
  const started = now();
  let lastProgress = -Infinity;
  for (let failed = 1; ; failed += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (!isTransient(error)) throw error;
      const waited = now() - started;
      if (waited >= timeoutMs)
        throw new StartTimeoutError(
          `still failing after ${Math.round(waited / 1000)} s (startTimeoutMs ${timeoutMs}): ${(error as Error).message}`,
          { cause: error },
        );
      if (now() - lastProgress >= progressEveryMs) {
        onProgress(error as Error, waited);
        lastProgress = now();
      }
      await sleep(Math.min(startupBackoffMs(failed), timeoutMs - waited));
    }
  }
}
