import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { preprocess, seededRandom } from '@air-quality/preprocessing';
import { PREPARED_OPTIONS } from '../../../shared/dataset';
import type { MessageProducer, OutgoingMessage } from '../../../shared/producer';
import { datasetRows } from '../../../functions/simulate/messages';
import type { SimulatorState } from '../../../functions/simulate/plan';
import { simulateRequestSchema } from '../../../functions/simulate/request';
import { RequestOverLimitError } from '../../../functions/simulate/limits';
import type { Progress } from '../../../functions/simulate/progress';
import { PROGRESS_INTERVAL_MS, simulate, type SimulateDependencies } from '../../../functions/simulate/simulate';
import {
  ConcurrentSimulationError,
  type SimulatorCursor,
  type VersionedState,
} from '../../../functions/simulate/state-store';
import { readDatasetText } from '../../support/dataset';

// The first two days of the real dataset are rows enough for any plan (replay wraps around).
const rows = datasetRows(preprocess(readDatasetText().split('\n').slice(0, 49).join('\n'), PREPARED_OPTIONS).table);

/** Virtual time: sleeping advances it, and each send may take `sendMs` of it. */
function harness({ sendMs = 0, state = { nextSequence: 0 } as SimulatorState, raceLost = false } = {}) {
  let now = 1_000_000;
  const log: string[] = [];
  const sends: { at: number; messages: OutgoingMessage[] }[] = [];
  const sleeps: number[] = [];
  const cursor: SimulatorCursor & { reserved?: SimulatorState } = {
    async read(): Promise<VersionedState> {
      return { state, etag: '"v1"' };
    },
    async reserve(previous, next) {
      assert.deepEqual(previous.state, state);
      log.push('reserve');
      if (raceLost) throw new ConcurrentSimulationError('another run');
      cursor.reserved = next;
    },
  };
  const producer: MessageProducer = {
    async send(_topic, messages) {
      log.push(`send ${messages.length}`);
      sends.push({ at: now, messages });
      now += sendMs;
      return [{ partition: 0, count: messages.length, firstOffset: '0', lastOffset: String(messages.length - 1) }];
    },
    async disconnect() {},
  };
  const built = { readings: 0 };
  const progress: Progress[] = [];
  const deps: SimulateDependencies = {
    rows: {
      length: rows.length,
      reading: (e) => {
        built.readings++;
        return rows.reading(e);
      },
    },
    state: cursor,
    producer,
    topic: 'readings',
    random: seededRandom,
    writeQc: async () => ({ key: 'qc.csv', csv: '' }),
    onProgress: (p) => progress.push(p),
    clock: {
      now: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
    },
  };
  return { deps, cursor, log, sends, sleeps, built, progress, start: now };
}

const request = (fields: Record<string, unknown>) => simulateRequestSchema.parse(fields);

describe('simulate pacing and cursor', () => {
  it('with a rate, batch i leaves at start + i·batchSize/rate seconds', async () => {
    const h = harness();
    const result = await simulate(request({ count: 50, rate: 100, batchSize: 10, seed: 1 }), h.deps);
    assert.deepEqual(
      h.sends.map((s) => s.at - h.start),
      [0, 100, 200, 300, 400],
    );
    assert.deepEqual(
      h.sends.map((s) => s.messages.length),
      [10, 10, 10, 10, 10],
    );
    assert.equal(result.sent, 50);
    assert.equal(result.durationMs, 400);
  });

  it('a producer slower than the rate is never made to wait more: late batches leave at once', async () => {
    const h = harness({ sendMs: 150 });
    await simulate(request({ count: 40, rate: 100, batchSize: 10, seed: 1 }), h.deps);
    assert.deepEqual(
      h.sends.map((s) => s.at - h.start),
      [0, 150, 300, 450],
    );
    assert.deepEqual(h.sleeps, []);
  });

  it('catches up after one slow send, then keeps the schedule', async () => {
    const h = harness();
    let slow = true;
    const send = h.deps.producer.send.bind(h.deps.producer);
    h.deps.producer.send = async (topic, messages) => {
      const receipts = await send(topic, messages);
      if (slow) await h.deps.clock.sleep(250);
      slow = false;
      return receipts;
    };
    await simulate(request({ count: 60, rate: 100, batchSize: 10, seed: 1 }), h.deps);
    assert.deepEqual(
      h.sends.map((s) => s.at - h.start),
      [0, 250, 250, 300, 400, 500],
    );
  });

  it('without a rate, sends back to back in batches of batchSize', async () => {
    const h = harness();
    await simulate(request({ count: 25, stations: 2, batchSize: 20, seed: 1 }), h.deps);
    assert.deepEqual(
      h.sends.map((s) => s.messages.length),
      [20, 20, 10],
    );
    assert.deepEqual(h.sleeps, []);
  });

  it('reserves the sequences before the first send, from the cursor it read', async () => {
    const h = harness({ state: { nextSequence: 7 } });
    const result = await simulate(request({ count: 3, stations: 2, seed: 1 }), h.deps);
    assert.deepEqual(h.log, ['reserve', 'send 6']);
    assert.deepEqual(result.sequences, { first: 7, last: 9 });
    assert.equal(h.cursor.reserved?.nextSequence, 10);
    const sequences = h.sends[0].messages.map((m) => JSON.parse(m.value).sequence as number);
    assert.deepEqual(
      sequences.sort((a, b) => a - b),
      [7, 7, 8, 8, 9, 9],
    );
  });

  it('a lost race for the cursor sends nothing', async () => {
    const h = harness({ raceLost: true });
    await assert.rejects(simulate(request({ count: 5, seed: 1 }), h.deps), ConcurrentSimulationError);
    assert.deepEqual(h.log, ['reserve']);
  });

  it('a dry run neither reserves nor sends, and returns the readings', async () => {
    const h = harness();
    const result = await simulate(request({ count: 4, dryRun: true, seed: 1 }), h.deps);
    assert.deepEqual(h.log, []);
    assert.equal(result.messages?.length, 4);
  });

  it('a dry run too large for a synchronous response is refused after building a sample, before the rest', async () => {
    const h = harness();
    await assert.rejects(
      simulate(request({ count: 20_000, dryRun: true, seed: 1 }), h.deps),
      (error: Error) =>
        error instanceof RequestOverLimitError &&
        /would return about [\d,]+ bytes .* over Lambda's 6,291,456-byte/.test(error.message),
    );
    assert.equal(h.built.readings, 24);
    assert.deepEqual(h.log, []);
  });

  it('a dry run that fits returns a response no larger than the limit it was checked against', async () => {
    const h = harness();
    const result = await simulate(request({ count: 1000, stations: 3, dryRun: true, seed: 1 }), h.deps);
    assert.equal(result.messages?.length, 3000);
    assert.ok(Buffer.byteLength(JSON.stringify(result)) < 6_291_456);
  });
});

describe('simulate progress', () => {
  it(`a long run reports every ${PROGRESS_INTERVAL_MS / 1000} s: sent, rate and eta, but not its end`, async () => {
    const h = harness();
    await simulate(request({ count: 3000, rate: 100, batchSize: 100, seed: 1 }), h.deps);
    // Batch 10 leaves at 10 s: 1100 sent in 10 s.
    assert.deepEqual(h.progress, [
      { sent: 1100, total: 3000, percent: 36, elapsedSeconds: 10, messagesPerSecond: 110, etaSeconds: 17.3 },
      { sent: 2100, total: 3000, percent: 70, elapsedSeconds: 20, messagesPerSecond: 105, etaSeconds: 8.6 },
    ]);
  });

  it('a short run reports none', async () => {
    const h = harness();
    await simulate(request({ count: 900, rate: 100, batchSize: 100, seed: 1 }), h.deps);
    assert.equal(h.sends.length, 9);
    assert.deepEqual(h.progress, []);
  });
});
