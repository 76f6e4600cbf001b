import { z } from 'zod';
import { JsonDocument } from '../../shared/json-document';
import type { ObjectStore } from '../../shared/object-store';
import type { SimulatorState } from './plan';

const STATE_KEY = 'state/simulate.json';

const simulatorStateSchema: z.ZodType<SimulatorState> = z.object({
  nextSequence: z.number().int().nonnegative(),
  replay: z.object({ anchorMs: z.number().int(), nextPosition: z.number().int().nonnegative() }).optional(),
});

/** A state read together with the version it was read at, so the next write can be conditional. */
export interface VersionedState {
  state: SimulatorState;
  etag?: string;
}

export class ConcurrentSimulationError extends Error {
  override name = 'ConcurrentSimulationError';
}

export class InvalidSimulatorStateError extends Error {
  override name = 'InvalidSimulatorStateError';
}

/** Where the simulator keeps its cursor between runs. */
export interface SimulatorCursor {
  read(): Promise<VersionedState>;
  /** Stores `next` only if the cursor is still at `previous`, else throws ConcurrentSimulationError. */
  reserve(previous: VersionedState, next: SimulatorState): Promise<void>;
}

/** The simulator's cursor in the bucket; writes are conditional so two runs never reuse sequences. */
export class SimulatorStateStore implements SimulatorCursor {
  private readonly document: JsonDocument<SimulatorState>;

  constructor(store: ObjectStore, key = STATE_KEY) {
    this.document = new JsonDocument(store, key, {
      schema: simulatorStateSchema,
      // A damaged cursor stops the run: guessing a fresh one would reuse (station, sequence) pairs already in the lake.
      invalid: (problem, location) =>
        new InvalidSimulatorStateError(
          `${location} is not a simulator cursor (${problem}); nothing was sent. Fix: restore its previous version, or write {"nextSequence": N} with N above the highest sequence already streamed.`,
        ),
      lost: (cause) =>
        new ConcurrentSimulationError(
          'Another simulate run advanced the cursor at the same time; nothing was sent. Invoke again.',
          { cause },
        ),
    });
  }

  async read(): Promise<VersionedState> {
    const { value, etag } = await this.document.read();
    return value ? { state: value, etag } : { state: { nextSequence: 0 } };
  }

  /** Reserves the next state before anything is sent: a lost race means another run took these sequences. */
  async reserve(previous: VersionedState, next: SimulatorState): Promise<void> {
    await this.document.write(previous, next);
  }
}
