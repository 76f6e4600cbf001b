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
export function storeHeldAt(store: ObjectStore, step: number) {
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
