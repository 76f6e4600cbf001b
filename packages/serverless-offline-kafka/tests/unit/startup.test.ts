import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTransient, StartTimeoutError, waitUntilReady } from '../../src/startup';

/** A kafkajs-like error: kafkajs marks what a later try may fix with `retriable`. */
const kafkaError = (name: string, message: string, retriable: boolean, cause?: Error) =>
  Object.assign(new Error(message, { cause }), { name, retriable });
const notCoordinator = () =>
  kafkaError('KafkaJSProtocolError', 'This is not the correct coordinator for this group', true);

/** A fake clock: sleeping advances it, so the test decides time, not the machine. */
function fakeClock() {
  let now = 0;
  const slept: number[] = [];
  const sleep = async (ms: number) => {
    slept.push(ms);
    now += ms;
  };
  return { now: () => now, sleep, slept };
}

describe('isTransient', () => {
  it('retries what a starting broker gives, not configuration errors', () => {
    assert.equal(isTransient(notCoordinator()), true);
    assert.equal(
      isTransient(kafkaError('KafkaJSConnectionError', 'Connection error: connect ECONNREFUSED 127.0.0.1:1', true)),
      true,
    );
    assert.equal(
      isTransient(kafkaError('KafkaJSNumberOfRetriesExceeded', 'retries exceeded', false, notCoordinator())),
      true,
    );
    assert.equal(
      isTransient(kafkaError('KafkaJSGroupCoordinatorNotFound', 'Failed to find group coordinator', false)),
      true,
    );
    assert.equal(
      isTransient(kafkaError('KafkaJSNonRetriableError', 'wrapped', false, notCoordinator())),
      true,
      'a wrapper of a transient error',
    );
    assert.equal(isTransient(kafkaError('KafkaJSSASLAuthenticationError', 'SASL authentication failed', false)), false);
    assert.equal(isTransient(new Error('topic t does not exist; create it first')), false);
    assert.equal(isTransient('text'), false);
  });
});

describe('waitUntilReady', () => {
  it('retries transient errors with growing backoff, saying so at once and then every 5 s, until the broker answers', async () => {
    const clock = fakeClock();
    const progress: string[] = [];
    let attempts = 0;
    await waitUntilReady({
      attempt: async () => {
        attempts += 1;
        if (attempts < 8) throw notCoordinator();
      },
      timeoutMs: 60_000,
      onProgress: (error, waited) => progress.push(`${waited}: ${error.message}`),
      ...clock,
    });
    assert.equal(attempts, 8);
    assert.deepEqual(clock.slept, [250, 500, 1000, 2000, 2000, 2000, 2000]);
    assert.deepEqual(progress, [
      '0: This is not the correct coordinator for this group',
      '5750: This is not the correct coordinator for this group',
    ]);
  });

  it('gives up at the deadline with the last error, and at once on an error waiting cannot fix', async () => {
    const clock = fakeClock();
    const gaveUp = waitUntilReady({
      attempt: async () => Promise.reject(notCoordinator()),
      timeoutMs: 3000,
      onProgress: () => undefined,
      ...clock,
    });
    await assert.rejects(
      gaveUp,
      (e: Error) =>
        e instanceof StartTimeoutError &&
        e.message ===
          'still failing after 3 s (startTimeoutMs 3000): This is not the correct coordinator for this group',
    );
    assert.deepEqual(clock.slept, [250, 500, 1000, 1250], 'the last sleep ends at the deadline');

    const missing = new Error('topic t does not exist; create it first');
    let attempts = 0;
    await assert.rejects(
      waitUntilReady({
        attempt: async () => {
          attempts += 1;
          throw missing;
        },
        timeoutMs: 3000,
        onProgress: () => undefined,
        ...fakeClock(),
      }),
      missing,
    );
    assert.equal(attempts, 1);
  });
});
