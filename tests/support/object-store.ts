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
