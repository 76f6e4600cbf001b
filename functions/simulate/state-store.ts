import { PreconditionFailedError, unchangedSince, type ObjectStore } from '../../shared/object-store';
import type { SimulatorState } from './plan';

export const STATE_KEY = 'state/simulate.json';

/** A state read together with the version it was read at, so the next write can be conditional. */
export interface VersionedState {
  state: SimulatorState;
  etag?: string;
}

export class ConcurrentSimulationError extends Error {
  override name = 'ConcurrentSimulationError';
}

/** The simulator's cursor in the bucket; writes are conditional so two runs never reuse sequences. */
export class SimulatorStateStore {
  constructor(private readonly store: ObjectStore) {}

  async read(): Promise<VersionedState> {
    const object = await this.store.get(STATE_KEY);
    if (!object) return { state: { nextSequence: 0 } };
    return { state: JSON.parse(new TextDecoder().decode(object.body)) as SimulatorState, etag: object.etag };
  }

  /** Reserves the next state before anything is sent: a lost race means another run took these sequences. */
  async reserve(previous: VersionedState, next: SimulatorState): Promise<void> {
    try {
      await this.store.put(STATE_KEY, JSON.stringify(next), { contentType: 'application/json', ...unchangedSince(previous.etag) });
    } catch (error) {
      if (error instanceof PreconditionFailedError) throw new ConcurrentSimulationError('Another simulate run advanced the cursor at the same time; nothing was sent. Invoke again.');
      throw error;
    }
  }
}
