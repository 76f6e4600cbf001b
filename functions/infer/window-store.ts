import { randomUUID } from 'node:crypto';
import { featureSpecKey, type FeatureWindowState } from '@air-quality/preprocessing';
import { onLostCondition, unchangedSince, type ObjectStore } from '../../shared/object-store';

/**
 * The online feature windows of the stations on one topic partition, with the next offset to
 * process. The state is written after the batch's predictions are durable, so records below
 * `nextOffset` have been fully handled and a redelivery skips them; a crash before the write
 * replays the whole batch from the same windows, giving the same predictions. Two invocations of one
 * partition at once (after a rebalance) are fenced by claiming the state before the predictions file.
 */
export interface PartitionWindows {
  version: 1;
  nextOffset: number;
  /** featureSpecKey of the windows: a model with another spec starts fresh windows. */
  specKey: string;
  windows: Record<string, FeatureWindowState>;
}

export interface VersionedWindows {
  state: PartitionWindows;
  etag?: string;
}

export class ConcurrentInferenceError extends Error {
  override name = 'ConcurrentInferenceError';
}

/** Partition states in the bucket under a prefix (settings' statePrefix); writes are conditional. */
export class WindowStore {
  constructor(
    private readonly store: ObjectStore,
    readonly prefix: string,
  ) {}

  key(topic: string, partition: number): string {
    return `${this.prefix}${topic}/${partition}.json`;
  }

  /** The partition's state, or a fresh one; windows of another feature spec are dropped. */
  async read(topic: string, partition: number, spec: object): Promise<VersionedWindows> {
    const specKey = featureSpecKey(spec);
    const object = await this.store.get(this.key(topic, partition));
    if (!object) return { state: { version: 1, nextOffset: 0, specKey, windows: {} } };
    const state = JSON.parse(new TextDecoder().decode(object.body)) as PartitionWindows;
    return { state: state.specKey === specKey ? state : { ...state, specKey, windows: {} }, etag: object.etag };
  }

  /** Replaces the state read as `previous` with `next`, unless another invocation wrote it since (ConcurrentInferenceError). */
  async write(
    topic: string,
    partition: number,
    previous: VersionedWindows,
    next: PartitionWindows,
  ): Promise<VersionedWindows> {
    // A unique field per write: no two writes have the same ETag, so a claim is never mistaken for another one.
    const body = JSON.stringify({ ...next, write: randomUUID() });
    const { etag } = await this.fenced(topic, partition, () =>
      this.store.put(this.key(topic, partition), body, {
        contentType: 'application/json',
        ...unchangedSince(previous.etag),
      }),
    );
    return { state: next, etag };
  }

  /**
   * Claims the partition before a batch's predictions are written: rewrites the state unchanged, so an invocation
   * that read it earlier loses its next conditional write. Returns the claimed version to write the next state on.
   */
  claim(topic: string, partition: number, previous: VersionedWindows): Promise<VersionedWindows> {
    return this.write(topic, partition, previous, previous.state);
  }

  /** Runs a write fenced by the partition's state; a lost condition means another invocation has the partition. */
  fenced<T>(topic: string, partition: number, write: () => Promise<T>): Promise<T> {
    return onLostCondition(
      write,
      (cause) =>
        new ConcurrentInferenceError(
          `Another infer invocation wrote ${this.key(topic, partition)} or its predictions meanwhile; this batch is retried from the new state.`,
          { cause },
        ),
    );
  }
}
