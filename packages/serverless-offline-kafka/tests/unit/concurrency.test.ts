import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { invocationConcurrency } from '../../src/worker';

describe('partitions invoked at once', () => {
  it("are bounded by provisioned mode's maximumPollers when the mapping has them, else by partitionConcurrency", () => {
    assert.equal(invocationConcurrency({ provisionedPollers: { minimumPollers: 1, maximumPollers: 2 } }, 3), 2);
    assert.equal(invocationConcurrency({}, 3), 3);
    // maximumPollers replaces partitionConcurrency (README: "or the event's maximumPollers"), above it too.
    assert.equal(invocationConcurrency({ provisionedPollers: { minimumPollers: 1, maximumPollers: 5 } }, 3), 5);
  });
});
