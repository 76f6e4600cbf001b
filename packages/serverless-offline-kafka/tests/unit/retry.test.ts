import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  backoffMs,
  defaultRetryPolicy,
  errorControls,
  recordExpired,
  retriesExhausted,
  validateRetryPolicy,
} from '../../src/retry';

const kafkaDestination = { type: 'kafka' as const, topic: 'orders.failed' };

describe('error handling controls', () => {
  it("takes AWS's defaults: retry forever, no age limit, no bisect", () => {
    assert.deepEqual(errorControls({ functionKey: 'f' }), {
      maximumRetryAttempts: -1,
      maximumRecordAgeInSeconds: -1,
      bisectBatchOnFunctionError: false,
    });
  });

  it('applies 10 retries when retries are infinite and there is an on-failure destination, as AWS does', () => {
    assert.equal(errorControls({ functionKey: 'f', onFailureDestination: kafkaDestination }).maximumRetryAttempts, 10);
    assert.equal(
      errorControls({
        functionKey: 'f',
        onFailureDestination: kafkaDestination,
        errorHandling: { maximumRetryAttempts: 2 },
      }).maximumRetryAttempts,
      2,
    );
    assert.equal(
      errorControls({ functionKey: 'f', errorHandling: { maximumRetryAttempts: 0 } }).maximumRetryAttempts,
      0,
    );
  });

  it("refuses values outside AWS's limits, naming them", () => {
    assert.throws(
      () => errorControls({ functionKey: 'f', errorHandling: { maximumRetryAttempts: 10_001 } }),
      /kafka λ f: maximumRetryAttempts 10001 must be -1 \(retry forever, AWS's default\) or an integer from 0 to 10000/,
    );
    assert.throws(
      () => errorControls({ functionKey: 'f', errorHandling: { maximumRecordAgeInSeconds: 59 } }),
      /maximumRecordAgeInSeconds 59 must be -1 \(no limit, AWS's default\) or whole seconds from 60 to 604800/,
    );
    assert.equal(
      errorControls({ functionKey: 'f', errorHandling: { maximumRecordAgeInSeconds: 604_800 } })
        .maximumRecordAgeInSeconds,
      604_800,
    );
  });

  it('is exhausted after the first attempt plus maximumRetryAttempts retries, never when -1', () => {
    const controls = (maximumRetryAttempts: number) =>
      errorControls({ functionKey: 'f', errorHandling: { maximumRetryAttempts } });
    assert.equal(retriesExhausted(controls(2), 2), false);
    assert.equal(retriesExhausted(controls(2), 3), true);
    assert.equal(retriesExhausted(controls(0), 1), true);
    assert.equal(retriesExhausted(controls(-1), 1000), false);
  });

  it('expires records older than maximumRecordAgeInSeconds by their own timestamp', () => {
    const controls = errorControls({ functionKey: 'f', errorHandling: { maximumRecordAgeInSeconds: 60 } });
    assert.equal(recordExpired(controls, 1_000_000, 1_000_000 + 60_000), false);
    assert.equal(recordExpired(controls, 1_000_000, 1_000_000 + 60_001), true);
    assert.equal(recordExpired(errorControls({ functionKey: 'f' }), 0, Date.now()), false);
  });
});

describe('local backoff', () => {
  const policy = { ...defaultRetryPolicy, initialBackoffMs: 100, maxBackoffMs: 500, backoffMultiplier: 2 };

  it('backs off exponentially up to the cap', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((attempt) => backoffMs(policy, attempt)),
      [100, 200, 400, 500, 500],
    );
  });

  it('rejects nonsense with the rule that was broken, and sends the AWS controls to the event', () => {
    assert.throws(
      () => validateRetryPolicy({ ...policy, maxBackoffMs: 10 }),
      /maxBackoffMs must be >= initialBackoffMs/,
    );
    assert.throws(
      () => validateRetryPolicy({ ...policy, maximumRetryAttempts: 3 } as never),
      /maximumRetryAttempts is an AWS error handling control: set it on the kafka\/msk event/,
    );
    assert.equal(validateRetryPolicy(policy), policy);
  });
});
