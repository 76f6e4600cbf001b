import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simulateEventSchema } from '../../../functions/simulate/request';
import { InvalidPayloadError, parsePayload } from '../../../shared/middleware';

const parse = (event: unknown) => parsePayload(simulateEventSchema, event);

describe('simulate request', () => {
  it('fills defaults for an empty payload', () => {
    assert.deepEqual(parse({}), { count: 10, mode: 'sample', stations: 1, batchSize: 500, dryRun: false, qc: false });
  });

  it('turns a bare EventBridge schedule tick into a replay', () => {
    const tick = {
      version: '0',
      id: 'x',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '1',
      time: '2026-11-24T20:00:00Z',
      region: 'us-east-1',
      resources: [],
      detail: {},
    };
    assert.equal(parse(tick).mode, 'replay');
  });

  const bad: [string, unknown, RegExp][] = [
    ['negative count', { count: -1 }, /count .* must be an integer from 1 to 100000, got -1/],
    ['count not a number', { count: 'x' }, /count .* got "x"/],
    ['fractional count', { count: 2.5 }, /count .* got 2\.5/],
    ['count over the maximum', { count: 100_001 }, /count .* from 1 to 100000, got 100001/],
    ['unknown mode', { mode: 'nope' }, /mode must be "sample" .* or "replay" .* got "nope"/],
    ['unknown field', { cnt: 3 }, /unknown field\(s\) cnt; allowed: count, mode/],
    ['zero rate', { rate: 0 }, /rate .* from 0\.1 to 50000, got 0/],
    ['too many stations', { stations: 101 }, /stations .* from 1 to 100, got 101/],
  ];
  for (const [name, payload, message] of bad) {
    it(`rejects ${name} with a message naming the field and the allowed range`, () => {
      assert.throws(
        () => parse(payload),
        (error: Error) => error instanceof InvalidPayloadError && message.test(error.message),
      );
    });
  }
});
