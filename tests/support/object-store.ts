import assert from 'node:assert/strict';
import type { ObjectStore } from '../../shared/object-store';

/** The real store with a hook around each put, to inject a failure at an exact point. */
export function storeWithHooks(
  store: ObjectStore,
  hooks: {
    beforePut?: (key: string, body: Uint8Array | string) => void | Promise<void>;
    afterPut?: (key: string) => void;
  },
): ObjectStore {
  return {
    bucket: store.bucket,
    get: (key) => store.get(key),
    head: (key) => store.head(key),
    list: (prefix) => store.list(prefix),
    copy: (source, destination) => store.copy(source, destination),
    delete: (keys) => store.delete(keys),
    put: async (key, body, options) => {
      await hooks.beforePut?.(key, body);
      const out = await store.put(key, body, options);
      hooks.afterPut?.(key);
      return out;
    },
  };
}

/**
 * The real store, held before its `step`-th request (0-based, any method) until `release`: a writer using it stops
 * at an exact point of its protocol while another one runs. `reached` resolves when it stops there.
 */
function storeHeldAt(store: ObjectStore, step: number) {
  let requests = 0;
  let reachedStep!: () => void;
  const reached = new Promise<void>((resolve) => {
    reachedStep = resolve;
  });
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  /** Runs the request in its turn: the `step`-th one waits for `release`. */
  const inTurn = async <T>(request: () => Promise<T>): Promise<T> => {
    if (requests++ === step) {
      reachedStep();
      await released;
    }
    return request();
  };
  const held: ObjectStore = {
    bucket: store.bucket,
    get: (key) => inTurn(() => store.get(key)),
    head: (key) => inTurn(() => store.head(key)),
    list: (prefix) => inTurn(() => store.list(prefix)),
    copy: (source, destination) => inTurn(() => store.copy(source, destination)),
    delete: (keys) => inTurn(() => store.delete(keys)),
    put: (key, body, options) => inTurn(() => store.put(key, body, options)),
  };
  return { store: held, reached, release };
}

/** Batch lengths of the two invocations of each round, and how many request positions the first one is held at. */
const RACE_LENGTHS: readonly (readonly [number, number])[] = [
  [9, 4],
  [3, 14],
  [12, 12],
  [6, 1],
  [15, 8],
  [2, 10],
  [11, 5],
];
const HOLD_POINTS = 8;

/**
 * Two invocations of one partition at once, round after round, as after a rebalance: the first is held before its
 * n-th object request (n cycling over the rounds) while the second runs to its end, then released. A failed batch
 * comes again from `committed()`, as the mapping would deliver it. Returns how many invocations lost the race; each
 * loss must be `lostRace`.
 */
export async function raceOnePartition(options: {
  records: number;
  store: ObjectStore;
  invoke: (from: number, length: number, store: ObjectStore) => Promise<unknown>;
  lostRace: (error: unknown) => boolean;
  committed: () => Promise<number>;
  maxRounds: number;
}): Promise<number> {
  let conflicts = 0;
  for (let round = 0, committed = 0; committed < options.records; round++) {
    assert.ok(round < options.maxRounds, 'the partition keeps making progress');
    const [a, b] = RACE_LENGTHS[round % RACE_LENGTHS.length]!;
    const held = storeHeldAt(options.store, round % HOLD_POINTS);
    const firstOutcome = Promise.allSettled([options.invoke(committed, a, held.store)]);
    // The first invocation is held, or it finished without reaching that request (then the second runs after it).
    await Promise.race([held.reached, firstOutcome]);
    const [secondOutcome] = await Promise.allSettled([options.invoke(committed, b, options.store)]);
    held.release();
    for (const outcome of [...(await firstOutcome), secondOutcome]) {
      if (outcome.status === 'fulfilled') continue;
      assert.ok(options.lostRace(outcome.reason), String(outcome.reason));
      conflicts++;
    }
    committed = await options.committed();
  }
  return conflicts;
}
