/**
 * A partition lane with its worker's side effects replaced by recorders: the cases the real broker cannot carry
 * (a record over Lambda's 6 MB payload limit is over Kafka's default message limit too).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KafkaMessage } from 'kafkajs';
import type { Destination } from '../../src/destination';
import type { LambdaKafkaEvent } from '../../src/event';
import { PartitionLane, type LaneContext } from '../../src/lane';
import type { MappingSettings } from '../../src/mapping';
import type { Discard } from '../../src/on-failure';
import { errorControls } from '../../src/retry';

const mapping: MappingSettings = {
  functionKey: 'fn',
  source: { eventSource: 'SelfManagedKafka' },
  bootstrapServers: ['localhost:29092'],
  topic: 'orders',
  batchSize: 10,
  maximumBatchingWindowMs: 0,
  startingPosition: { type: 'TRIM_HORIZON' },
  consumerGroupId: 'g',
  filterPatterns: [],
};

const message = (offset: number, value: Buffer): KafkaMessage => ({
  offset: String(offset),
  key: Buffer.from(`k${offset}`),
  value,
  timestamp: String(Date.now()),
  headers: {},
  attributes: 0,
});
/** Base64 makes 4.8 MB of bytes 6.4 MB in the event, over 6 MiB. */
const oversized = Buffer.alloc(4_800_000, 1);

/** Resolves once `condition` holds after one of the recorders ran. */
function recorderGate() {
  let check: () => void = () => {};
  return {
    until: (condition: () => boolean) =>
      new Promise<void>((resolve) => (check = () => (condition() ? resolve() : undefined))),
    poke: () => check(),
  };
}

function laneWith(overrides: Partial<LaneContext>) {
  const gate = recorderGate();
  const events: LambdaKafkaEvent[] = [];
  const commits: number[] = [];
  const warnings: string[] = [];
  const context: LaneContext = {
    mapping,
    controls: errorControls(mapping),
    backoff: { initialBackoffMs: 1, maxBackoffMs: 2, backoffMultiplier: 2 },
    keep: () => true,
    invoke: async (event) => void events.push(event),
    commit: async (_partition, nextOffset) => {
      commits.push(nextOffset);
      gate.poke();
    },
    count: () => undefined,
    pause: () => undefined,
    resume: () => undefined,
    report: () => undefined,
    warn: (line) => {
      warnings.push(line);
      gate.poke();
    },
    blockedWarningIntervalMs: 0,
    ...overrides,
  };
  return { lane: new PartitionLane(0, context), events, commits, warnings, until: gate.until };
}

describe('a record over the 6 MB payload limit on its own', () => {
  it('is not invoked but sent to the destination as MaximumPayloadSizeExceeded, with a null responseContext', async () => {
    const discards: Discard[] = [];
    const destination: Destination = {
      name: 'kafka://orders.failed',
      deliver: async (discard) => void discards.push(discard),
      isPermanent: () => false,
      close: async () => undefined,
    };
    const { lane, events, commits, until } = laneWith({ destination });
    const committedBoth = until(() => commits.at(-1) === 2);
    lane.accept([message(0, oversized), message(1, Buffer.from('{"n":1}'))], '2');
    await committedBoth;
    await lane.stop(1000);
    assert.deepEqual(
      discards.map((d) => [d.reason, d.response, d.approximateInvokeCount, d.records.map((r) => r.offset)]),
      [['payload', null, 0, [0]]],
    );
    assert.deepEqual(
      events.map((event) => event.records['orders-0']!.map((r) => r.offset)),
      [[1]],
    );
  });

  it('blocks its partition without a destination and says so', async () => {
    const { lane, events, commits, warnings, until } = laneWith({});
    const warnedTwice = until(() => warnings.length >= 2);
    lane.accept([message(0, oversized), message(1, Buffer.from('{"n":1}'))], '2');
    await warnedTwice;
    await lane.stop(1000);
    assert.match(
      warnings[0]!,
      /orders-0: partition blocked at offset 0 \(record 0 alone exceeds Lambda's 6 MB payload limit and there is no onFailureDestination to send it to\)/,
    );
    // Retries do not apply to a record that is never invoked: only a destination moves the partition on.
    assert.match(warnings[0]!, /set onFailureDestination on the event to move on/);
    assert.doesNotMatch(warnings[0]!, /set maximumRetryAttempts/);
    assert.deepEqual(events, []);
    assert.deepEqual(commits, []);
    assert.equal(lane.offsetLag(), 2);
  });
});
