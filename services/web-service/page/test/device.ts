import type { KeyValueStore } from '../src/outbox-store.js';

/** A device's storage without a browser: a Map stands in for localStorage ('' or null forgets). */
export function device(): KeyValueStore & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    get: (key) => map.get(key) ?? null,
    set: (key, value) => {
      if (value === null || value === '') map.delete(key);
      else map.set(key, value);
    },
  };
}
