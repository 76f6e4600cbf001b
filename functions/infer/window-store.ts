import { featureSpecKey, type FeatureWindowState, type ResolvedFeatureSpec } from '@air-quality/preprocessing';
import { z } from 'zod';
import { JsonDocument, type JsonDocumentRules } from '../../shared/json-document';
import { onLostCondition, type ObjectStore, type PreconditionFailedError } from '../../shared/object-store';

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

export class InvalidWindowStateError extends Error {
  override name = 'InvalidWindowStateError';
}

const nullableNumbers = z.array(z.number().nullable());

/** Loose, so a field the kernel adds later survives a rewrite; the spec is compared as a whole through specKey. */
const featureWindowSchema: z.ZodType<FeatureWindowState> = z.looseObject({
  version: z.literal(1),
  spec: z.custom<ResolvedFeatureSpec>((value) => typeof value === 'object' && value !== null, 'expected an object'),
  lastTimestamp: z.number().nullable(),
  history: z.record(z.string(), nullableNumbers),
  ema: z.record(z.string(), z.array(z.object({ value: z.number().nullable(), weight: z.number() }))),
  missingRun: z.record(z.string(), z.number().nullable()),
});

const partitionWindowsSchema: z.ZodType<PartitionWindows> = z.object({
  version: z.literal(1),
  nextOffset: z.number().int().nonnegative(),
  specKey: z.string(),
  windows: z.record(z.string(), featureWindowSchema),
});

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
    const { value: state, etag } = await this.document(topic, partition).read();
    if (!state) return { state: { version: 1, nextOffset: 0, specKey, windows: {} } };
    return { state: state.specKey === specKey ? state : { ...state, specKey, windows: {} }, etag };
  }

  /** Replaces the state read as `previous` with `next`, unless another invocation wrote it since (ConcurrentInferenceError). */
  async write(
    topic: string,
    partition: number,
    previous: VersionedWindows,
    next: PartitionWindows,
  ): Promise<VersionedWindows> {
    const { etag } = await this.document(topic, partition).write(previous, next);
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
    return onLostCondition(write, this.rules(topic, partition).lost);
  }

  private document(topic: string, partition: number): JsonDocument<PartitionWindows> {
    return new JsonDocument(this.store, this.key(topic, partition), this.rules(topic, partition));
  }

  private rules(topic: string, partition: number): JsonDocumentRules<PartitionWindows> {
    const key = this.key(topic, partition);
    return {
      schema: partitionWindowsSchema,
      invalid: (problem, location) =>
        new InvalidWindowStateError(
          `${location} is not an infer window state (${problem}); nothing was scored. Fix: delete it, and the partition starts fresh windows from the next batch (its first forecasts lack history until the windows fill).`,
        ),
      lost: (cause: PreconditionFailedError) =>
        new ConcurrentInferenceError(
          `Another infer invocation wrote ${key} or its predictions meanwhile; this batch is retried from the new state.`,
          { cause },
        ),
    };
  }
}
