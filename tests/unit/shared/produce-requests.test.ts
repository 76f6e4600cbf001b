import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import {
  encodedRecordBytes,
  MAX_PRODUCE_REQUEST_BYTES,
  MessageTooLargeError,
  produceRequests,
} from '../../../shared/produce-requests';
import type { OutgoingMessage } from '../../../shared/producer';

// kafkajs' own record and record-batch encoders: what it really writes into a Produce request.
const require = createRequire(import.meta.url);
const encodeRecord: (record: {
  offsetDelta: number;
  timestampDelta: number;
  key: string;
  value: string;
  headers?: Record<string, string | string[]>;
}) => { size(): number } = require('kafkajs/src/protocol/recordBatch/record/v0');
const {
  RecordBatch: encodeRecordBatch,
}: {
  RecordBatch: (batch: { records: unknown[]; lastOffsetDelta: number }) => Promise<{ size(): number }>;
} = require('kafkajs/src/protocol/recordBatch/v0');

/** Kafka's default message.max.bytes: the largest record batch a broker accepts. */
const BROKER_MESSAGE_MAX_BYTES = 1_048_588;

/** A reading-sized message, as simulate sends them (~500 bytes). */
const reading = (station: number, sequence: number): OutgoingMessage => ({
  key: `station-${String(station + 1).padStart(2, '0')}`,
  value: JSON.stringify({
    schemaVersion: 1,
    eventId: '06f4bd61-802f-40e7-9a31-0376047030b2',
    stationId: `station-${station + 1}`,
    sequence,
    observedAt: '2026-12-01T09:00:00.000Z',
    readings: { co_gt: 2.6, pt08_s1_co: 1360, c6h6_gt: 11.9, nox_gt: 166, no2_gt: 113, t: 13.6, rh: 48.9, ah: 0.7578 },
    quality: { imputed: [], clipped: [] },
    padding: 'x'.repeat(150),
  }),
  headers: { 'content-type': 'application/json', 'schema-version': '1' },
});

/** The 10000 × 5 request of the issue, in the plan's order (each step, every station). */
const request = Array.from({ length: 10_000 }, (_, step) =>
  Array.from({ length: 5 }, (_, station) => reading(station, step)),
).flat();

/** A fake sender: encodes each request as kafkajs would, all of it in one partition's batch (the worst case). */
async function encodedBatchBytes(messages: OutgoingMessage[]): Promise<number> {
  const records = messages.map((m, offsetDelta) => encodeRecord({ ...m, offsetDelta, timestampDelta: 0 }));
  return (await encodeRecordBatch({ records, lastOffsetDelta: records.length - 1 })).size();
}

describe('produce requests split by encoded size', () => {
  it('bounds the bytes kafkajs encodes for a record, lengths exactly (varint boundaries included)', () => {
    for (const length of [0, 1, 63, 64, 65, 8191, 8192, 8193, 100_000]) {
      const message = {
        key: 'k'.repeat(length % 70),
        value: 'é'.repeat(length / 2) + 'v'.repeat(length % 2),
        headers: { h: 'x'.repeat(length % 100), repeated: ['a', 'b'.repeat(length % 90)] },
      };
      const real = encodeRecord({ ...message, offsetDelta: 0, timestampDelta: 0 }).size();
      const bound = encodedRecordBytes(message);
      assert.ok(bound >= real && bound <= real + 20, `length ${length}: bound ${bound}, kafkajs ${real}`);
    }
  });

  it('splits the 10000 × 5 request into requests the broker accepts, as full as the limit allows, in order', async () => {
    const requests = produceRequests(request);
    assert.deepEqual(requests.flat(), request, 'every message once, in the original order');
    for (const [i, messages] of requests.entries()) {
      assert.ok(
        (await encodedBatchBytes(messages)) <= BROKER_MESSAGE_MAX_BYTES,
        `request ${i} is over message.max.bytes`,
      );
      const bytes = messages.reduce((sum, m) => sum + encodedRecordBytes(m), 0);
      assert.ok(bytes <= MAX_PRODUCE_REQUEST_BYTES);
      if (i < requests.length - 1)
        assert.ok(
          bytes + encodedRecordBytes(requests[i + 1][0]) > MAX_PRODUCE_REQUEST_BYTES,
          `request ${i} could have held one more`,
        );
    }
    // The unsplit send is what the broker refused with MESSAGE_TOO_LARGE.
    assert.ok((await encodedBatchBytes(request.slice(0, 5000))) > BROKER_MESSAGE_MAX_BYTES);
  });

  it('keeps a send that fits as one request, and sends nothing for nothing', () => {
    const small = request.slice(0, 500);
    assert.deepEqual(produceRequests(small), [small]);
    assert.deepEqual(produceRequests([]), []);
  });

  it('refuses a message no request can carry, naming its key and size', () => {
    const huge = { key: 'station-07', value: 'x'.repeat(2_000_000) };
    assert.throws(
      () => produceRequests([reading(0, 0), huge]),
      (error: Error) =>
        error instanceof MessageTooLargeError &&
        /key station-07 encodes to 2000\d+ bytes, over the 1000000-byte limit/.test(error.message),
    );
  });
});
