/**
 * Which dataset row each virtual station emits next, and when it was "observed".
 *
 * Replay runs a simulated clock: position p is observed at anchor + p hours, and station s reads
 * the dataset row (p + s·phase) mod rows, so stations look like distinct sensors seen at the same
 * hours. Sample mode draws seeded random rows stamped with the current time (the prototype's mode).
 * Sequence numbers are per station and never reused across runs or modes: they come from one
 * counter kept in the simulator state.
 */
import { HOUR_MS, type Random } from '@air-quality/preprocessing';

export interface SimulatorState {
  /** Next per-station sequence number (shared by all stations: each emits once per step). */
  nextSequence: number;
  replay?: { anchorMs: number; nextPosition: number };
}

export interface Emission {
  stationId: string;
  sequence: number;
  rowIndex: number;
  observedAtMs: number;
}

export interface Plan {
  emissions: Emission[];
  next: SimulatorState;
}

export const stationId = (index: number) => `station-${String(index + 1).padStart(2, '0')}`;

export function replayPlan(state: SimulatorState, rows: number, stations: number, count: number, nowMs: number): Plan {
  // The first replay anchors the clock at the current hour, so the lake fills from "now" onwards.
  const replay = state.replay ?? { anchorMs: Math.floor(nowMs / HOUR_MS) * HOUR_MS, nextPosition: 0 };
  const phase = Math.floor(rows / stations);
  const emissions: Emission[] = [];
  for (let step = 0; step < count; step++) {
    const position = replay.nextPosition + step;
    for (let s = 0; s < stations; s++) {
      emissions.push({
        stationId: stationId(s),
        sequence: state.nextSequence + step,
        rowIndex: (position + s * phase) % rows,
        observedAtMs: replay.anchorMs + position * HOUR_MS,
      });
    }
  }
  return {
    emissions,
    next: {
      nextSequence: state.nextSequence + count,
      replay: { anchorMs: replay.anchorMs, nextPosition: replay.nextPosition + count },
    },
  };
}

export function samplePlan(
  state: SimulatorState,
  rows: number,
  stations: number,
  count: number,
  nowMs: number,
  random: Random,
): Plan {
  const emissions: Emission[] = [];
  for (let step = 0; step < count; step++) {
    for (let s = 0; s < stations; s++) {
      emissions.push({
        stationId: stationId(s),
        sequence: state.nextSequence + step,
        rowIndex: random.int(0, rows - 1),
        observedAtMs: nowMs,
      });
    }
  }
  return { emissions, next: { ...state, nextSequence: state.nextSequence + count } };
}
