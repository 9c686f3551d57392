// Small in-memory caches for the hot path: a size-bounded map (oldest entry evicted first) and a TTL variant.
import type { Clock } from "@ferry/core";

/** A Map that forgets its oldest entry once it holds more than `max`. Reads refresh recency. */
export interface BoundedMap<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  delete(key: string): void;
  clear(): void;
  readonly size: number;
}

export function createBoundedMap<V>(max: number): BoundedMap<V> {
  const entries = new Map<string, V>();
  return {
    get(key) {
      const value = entries.get(key);
      if (value !== undefined) {
        entries.delete(key);
        entries.set(key, value);
      }
      return value;
    },
    set(key, value) {
      entries.delete(key);
      entries.set(key, value);
      if (entries.size > max) {
        const oldest = entries.keys().next();
        if (oldest.done !== true) entries.delete(oldest.value);
      }
    },
    delete: (key) => void entries.delete(key),
    clear: () => entries.clear(),
    get size() {
      return entries.size;
    },
  };
}

/** A bounded map whose entries expire `ttlMs` after they were set, by the injected clock. */
export function createTtlMap<V>(max: number, ttlMs: number, clock: Clock): BoundedMap<V> {
  const inner = createBoundedMap<{ value: V; expiresAt: number }>(max);
  return {
    get(key) {
      const entry = inner.get(key);
      if (entry === undefined) return undefined;
      if (entry.expiresAt <= clock.now().getTime()) {
        inner.delete(key);
        return undefined;
      }
      return entry.value;
    },
    set: (key, value) => inner.set(key, { value, expiresAt: clock.now().getTime() + ttlMs }),
    delete: (key) => inner.delete(key),
    clear: () => inner.clear(),
    get size() {
      return inner.size;
    },
  };
}
