import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffMs, defaultRetryPolicy, retriesExhausted, validateRetryPolicy } from '../../src/retry';

describe('retry policy', () => {
  const policy = { ...defaultRetryPolicy, initialBackoffMs: 100, maxBackoffMs: 500, backoffMultiplier: 2 };

  it('backs off exponentially up to the cap', () => {
    assert.deepEqual([1, 2, 3, 4, 5].map((attempt) => backoffMs(policy, attempt)), [100, 200, 400, 500, 500]);
  });

  it('is exhausted after the first attempt plus maximumRetryAttempts retries, never when -1', () => {
    assert.equal(retriesExhausted({ ...policy, maximumRetryAttempts: 2 }, 2), false);
    assert.equal(retriesExhausted({ ...policy, maximumRetryAttempts: 2 }, 3), true);
    assert.equal(retriesExhausted({ ...policy, maximumRetryAttempts: 0 }, 1), true);
    assert.equal(retriesExhausted({ ...policy, maximumRetryAttempts: -1 }, 1000), false);
  });

  it('rejects nonsense with the rule that was broken', () => {
    assert.throws(() => validateRetryPolicy({ ...policy, maximumRetryAttempts: -2 }), /maximumRetryAttempts must be an integer >= -1/);
    assert.throws(() => validateRetryPolicy({ ...policy, maxBackoffMs: 10 }), /maxBackoffMs must be >= initialBackoffMs/);
    assert.equal(validateRetryPolicy(policy), policy);
  });
});
