import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HOUR_MS, seededRandom } from '@air-quality/preprocessing';
import { replayPlan, samplePlan, stationId } from '../../../functions/simulate/plan';

const now = Date.parse('2026-11-24T20:41:13.123Z');

describe('replay plan', () => {
  it('anchors the clock at the current hour and walks the dataset one hour per step', () => {
    const { emissions, next } = replayPlan({ nextSequence: 0 }, 100, 1, 3, now);
    const anchor = Date.parse('2026-11-24T20:00:00Z');
    assert.deepEqual(
      emissions.map((e) => [e.stationId, e.sequence, e.rowIndex, e.observedAtMs - anchor]),
      [
        ['station-01', 0, 0, 0],
        ['station-01', 1, 1, HOUR_MS],
        ['station-01', 2, 2, 2 * HOUR_MS],
      ],
    );
    assert.deepEqual(next, { nextSequence: 3, replay: { anchorMs: anchor, nextPosition: 3 } });
  });

  it('resumes from the cursor and phase-shifts each station by rows/stations', () => {
    const first = replayPlan({ nextSequence: 0 }, 100, 4, 2, now);
    const second = replayPlan(first.next, 100, 4, 1, now + 5 * HOUR_MS);
    assert.deepEqual(
      second.emissions.map((e) => [e.stationId, e.sequence, e.rowIndex]),
      [
        ['station-01', 2, 2],
        ['station-02', 2, 27],
        ['station-03', 2, 52],
        ['station-04', 2, 77],
      ],
    );
    // The clock stays anchored at the first run: the replay is a continuous series.
    assert.equal(second.emissions[0].observedAtMs, first.emissions[0].observedAtMs + 2 * HOUR_MS);
  });

  it('wraps around the end of the dataset', () => {
    const { emissions } = replayPlan({ nextSequence: 10, replay: { anchorMs: 0, nextPosition: 99 } }, 100, 1, 2, now);
    assert.deepEqual(
      emissions.map((e) => e.rowIndex),
      [99, 0],
    );
  });

  it('never reuses a (station, sequence) pair across runs, modes and station counts', () => {
    const seen = new Set<string>();
    let state = { nextSequence: 0 } as Parameters<typeof replayPlan>[0];
    const runs: [string, number, number][] = [
      ['replay', 2, 5],
      ['sample', 3, 4],
      ['replay', 1, 7],
      ['sample', 2, 1],
    ];
    for (const [mode, stations, count] of runs) {
      const plan =
        mode === 'replay'
          ? replayPlan(state, 50, stations, count, now)
          : samplePlan(state, 50, stations, count, now, seededRandom(1));
      for (const e of plan.emissions) {
        const key = `${e.stationId}/${e.sequence}`;
        assert.ok(!seen.has(key), `duplicate ${key}`);
        seen.add(key);
      }
      state = plan.next;
    }
    assert.equal(seen.size, 2 * 5 + 3 * 4 + 1 * 7 + 2 * 1);
  });
});

describe('sample plan', () => {
  it('is reproducible for a seed, differs across seeds, and stamps the current time', () => {
    const a = samplePlan({ nextSequence: 0 }, 9357, 2, 50, now, seededRandom(42));
    const b = samplePlan({ nextSequence: 0 }, 9357, 2, 50, now, seededRandom(42));
    const c = samplePlan({ nextSequence: 0 }, 9357, 2, 50, now, seededRandom(43));
    assert.deepEqual(a, b);
    assert.notDeepEqual(
      a.emissions.map((e) => e.rowIndex),
      c.emissions.map((e) => e.rowIndex),
    );
    assert.ok(a.emissions.every((e) => e.observedAtMs === now && e.rowIndex >= 0 && e.rowIndex < 9357));
  });
});

it('names stations with two-digit numbers', () => {
  assert.deepEqual([0, 9, 11].map(stationId), ['station-01', 'station-10', 'station-12']);
});
