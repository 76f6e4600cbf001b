import { z } from 'zod';
import { PreconditionFailedError, unchangedSince, type ObjectStore } from '../../shared/object-store';
import { parseJsonText } from '../../shared/validation';
import type { SimulatorState } from './plan';

export const STATE_KEY = 'state/simulate.json';

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
  constructor(
    private readonly store: ObjectStore,
    private readonly key = STATE_KEY,
  ) {}

  async read(): Promise<VersionedState> {
    const object = await this.store.get(this.key);
    if (!object) return { state: { nextSequence: 0 } };
    return { state: this.parse(new TextDecoder().decode(object.body)), etag: object.etag };
  }

  /** Reserves the next state before anything is sent: a lost race means another run took these sequences. */
  async reserve(previous: VersionedState, next: SimulatorState): Promise<void> {
    try {
      await this.store.put(this.key, JSON.stringify(next), {
        contentType: 'application/json',
        ...unchangedSince(previous.etag),
      });
    } catch (error) {
      if (error instanceof PreconditionFailedError)
        throw new ConcurrentSimulationError(
          'Another simulate run advanced the cursor at the same time; nothing was sent. Invoke again.',
        );
      throw error;
    }
  }

  /** A damaged cursor stops the run: guessing a fresh one would reuse (station, sequence) pairs already in the lake. */
  private parse(text: string): SimulatorState {
    const parsed = parseJsonText(simulatorStateSchema, text, 'state');
    if (parsed.ok) return parsed.data;
    throw new InvalidSimulatorStateError(
      `s3://${this.store.bucket}/${this.key} is not a simulator cursor (${parsed.problem}); nothing was sent. Fix: restore its previous version, or write {"nextSequence": N} with N above the highest sequence already streamed.`,
    );
  }
}
