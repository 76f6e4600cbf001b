import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  checkDryRunSize,
  checkSendTime,
  CONFIGURED_TIMEOUT_MS,
  RequestOverLimitError,
  SYNC_RESPONSE_LIMIT_BYTES,
  timeLeftMs,
} from '../../../functions/simulate/limits';
import { simulateRequestSchema } from '../../../functions/simulate/request';
import { InvalidPayloadError } from '../../../shared/middleware';
import type { Reading } from '../../../shared/schemas/reading';

const request = (fields: Record<string, unknown>) => simulateRequestSchema.parse(fields);
const refused = (check: () => void, message: RegExp) =>
  assert.throws(check, (error: Error) => {
    assert.ok(error instanceof RequestOverLimitError && error instanceof InvalidPayloadError, error.name);
    assert.match(error.message, message);
    return true;
  });

describe('time left', () => {
  it("is the Lambda context's remaining time, else the configured timeout", () => {
    assert.equal(timeLeftMs({ getRemainingTimeInMillis: () => 42_000 }), 42_000);
    assert.equal(timeLeftMs({}), CONFIGURED_TIMEOUT_MS);
  });

  it('falls back to the timeout serverless.yml gives simulate (the provider default: simulate sets none)', () => {
    const yml = readFileSync(new URL('../../../serverless.yml', import.meta.url), 'utf8');
    assert.equal(Number(/^provider:\n(?: {2}.*\n)*? {2}timeout: (\d+)$/m.exec(yml)?.[1]) * 1000, CONFIGURED_TIMEOUT_MS);
    const simulate = /^ {2}simulate:\n((?: {4}.*\n|\s*\n)*)/m.exec(yml)?.[1] ?? '';
    assert.ok(
      simulate.includes('handler: functions/simulate/handler.handler') && !/^ {4}timeout:/m.test(simulate),
      simulate,
    );
  });
});

describe('a paced request must finish within the time left', () => {
  it('refuses one that cannot, with the messages, rate, seconds needed and available, and the fixes', () => {
    refused(
      () => checkSendTime(request({ count: 10_000, stations: 5, rate: 1000 }), 30_000),
      /^50000 messages \(count 10000 × stations 5\) at rate 1000\/s need 50 s, but 20 s are available \(30 s left of the function's timeout, less 10 s for loading the dataset and finishing\); nothing was sent\. Fix: lower count to at most 4000, or raise rate to at least 2500, or split it into 3 requests of count 4000 or less\.$/,
    );
  });

  it('accepts one that just fits', () => {
    checkSendTime(request({ count: 4000, stations: 5, rate: 1000 }), 30_000);
  });

  it('offers no rate above the maximum rate', () => {
    refused(
      () => checkSendTime(request({ count: 100_000, stations: 100, rate: 50_000 }), 120_000),
      /need 200 s, but 110 s .* Fix: lower count to at most 55000, or split it into 2 requests of count 55000 or less\.$/,
    );
  });

  it('with no time left, says the timeout is the problem', () => {
    refused(
      () => checkSendTime(request({ count: 10, rate: 1 }), 5000),
      /but 0 s are available .* Fix: raise the function timeout\.$/,
    );
  });

  it('leaves unpaced requests and dry runs alone', () => {
    checkSendTime(request({ count: 100_000, stations: 100 }), 1000);
    checkSendTime(request({ count: 100_000, stations: 100, rate: 0.1, dryRun: true }), 1000);
  });
});

describe("a dry run's response must fit Lambda's synchronous limit", () => {
  // A stand-in reading whose JSON is 499 bytes: 500 with its comma in the array.
  const sample = [{ pad: 'x'.repeat(489) }] as unknown as Reading[];
  assert.equal(JSON.stringify(sample[0]).length, 499);

  it('refuses one over 6,291,456 bytes with the estimate and the fixes', () => {
    refused(
      () => checkDryRunSize(request({ count: 12_581, dryRun: true }), sample),
      /^A dry run of 12581 messages \(count 12581 × stations 1\) would return about 6,291,524 bytes \(up to 500 bytes a message\), over Lambda's 6,291,456-byte \(6 MB\) limit for a synchronous response\. Fix: lower count to at most 12580, or split it into 2 requests of count 12580 or less\.$/,
    );
    assert.equal(SYNC_RESPONSE_LIMIT_BYTES, 6 * 1024 * 1024);
  });

  it('accepts one just under, and requests that send', () => {
    checkDryRunSize(request({ count: 12_580, dryRun: true }), sample);
    checkDryRunSize(request({ count: 100_000, stations: 100 }), sample);
  });
});
