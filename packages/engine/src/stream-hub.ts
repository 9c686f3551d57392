// SSE subscriptions to predictions. A buffer per prediction (stream-buffer.ts) is kept while the prediction is
// live or recently finished, fed by the bus and, while someone listens, by re-reading the row (updates written
// by another API process never reach this bus). A subscriber gets the replay, then live events. Everything the
// hub no longer holds is rebuilt from the stored row.
import type { Logger, Prediction, Store } from "@ferry/core";
import type { PredictionBus } from "./engine-types.js";
import { createStreamBuffer } from "./stream-buffer.js";
import type { StreamBuffer, StreamEvent } from "./stream-buffer.js";

export type { StreamEvent, StreamEventName } from "./stream-buffer.js";

export interface StreamHubOptions {
  /** Buffers kept at most (live ones with subscribers are never dropped). Default 1 000. */
  maxEntries?: number;
  /** Text kept at most over all buffers. Default 64 MiB. */
  maxBytes?: number;
  /** How often a live prediction with subscribers is re-read. Default 1 000 ms. */
  pollMs?: number;
}

export interface StreamSubscription {
  /** True when the replay already ended the stream (it held `done`): there is nothing to wait for. */
  readonly finished: boolean;
  unsubscribe(): void;
}

export interface StreamHub {
  /**
   * Delivers the events after `lastEventId` (all of them when null) to `listener` before resolving, then each
   * new event until `done` or unsubscribe(). Resolves null for an unknown prediction.
   */
  subscribe(predictionId: string, lastEventId: string | null, listener: (event: StreamEvent) => void): Promise<StreamSubscription | null>;
  /** Drops the buffers of these predictions (their data was removed). */
  forget(predictionIds: readonly string[]): void;
  /** What is held now, for tests and metrics. */
  stats(): { entries: number; bytes: number; listeners: number };
  /** Stops polling and bus subscriptions; subscribers get nothing more. */
  stop(): void;
}

interface Entry {
  id: string;
  buffer: StreamBuffer | null;
  bytes: number;
  listeners: Set<(event: StreamEvent) => void>;
  /** Resolves once the row was read: false when there is no such prediction. */
  ready: Promise<boolean>;
  unsubscribeBus: (() => void) | null;
  poll: NodeJS.Timeout | null;
}

const DEFAULTS = { maxEntries: 1_000, maxBytes: 64 * 1024 * 1024, pollMs: 1_000 };

export function createStreamHub(deps: { store: Store; bus: PredictionBus; log: Logger; options?: StreamHubOptions }): StreamHub {
  const { store, bus, log } = deps;
  const options = { ...DEFAULTS, ...deps.options };
  // Both in age order: live by when the buffer was made, finished by when it finished.
  const live = new Map<string, Entry>();
  const finished = new Map<string, Entry>();
  let totalBytes = 0;

  function observe(entry: Entry, row: Prediction): void {
    if (entry.buffer?.finished === true || !holds(entry)) return;
    entry.buffer ??= createStreamBuffer(row.createdAt);
    const added = entry.buffer.observe(row);
    if (added.length === 0) return;
    totalBytes += entry.buffer.bytes - entry.bytes;
    entry.bytes = entry.buffer.bytes;
    for (const event of added) {
      for (const listener of [...entry.listeners]) {
        try {
          listener(event);
        } catch (error) {
          log.error({ err: error, predictionId: entry.id }, "stream listener failed");
        }
      }
    }
    if (entry.buffer.finished) finish(entry);
    evict();
  }

  function holds(entry: Entry): boolean {
    return live.get(entry.id) === entry || finished.get(entry.id) === entry;
  }

  function finish(entry: Entry): void {
    detach(entry);
    entry.listeners.clear();
    live.delete(entry.id);
    finished.set(entry.id, entry);
  }

  function detach(entry: Entry): void {
    entry.unsubscribeBus?.();
    entry.unsubscribeBus = null;
    stopPolling(entry);
  }

  function drop(entry: Entry): void {
    detach(entry);
    if (!holds(entry)) return;
    if (live.get(entry.id) === entry) live.delete(entry.id);
    else finished.delete(entry.id);
    totalBytes -= entry.bytes;
  }

  /** Drops the oldest finished buffers first, then the oldest live ones nobody listens to. */
  function evict(): void {
    const over = (): boolean => live.size + finished.size > options.maxEntries || totalBytes > options.maxBytes;
    for (const entry of finished.values()) {
      if (!over()) return;
      drop(entry);
    }
    for (const entry of live.values()) {
      if (!over()) return;
      if (entry.listeners.size === 0 && entry.buffer !== null) drop(entry);
    }
  }

  async function refresh(entry: Entry): Promise<boolean> {
    const row = await store.predictions.get(entry.id);
    if (row === null) return false;
    observe(entry, row);
    return true;
  }

  function create(id: string): Entry {
    const entry: Entry = { id, buffer: null, bytes: 0, listeners: new Set(), ready: Promise.resolve(false), unsubscribeBus: null, poll: null };
    live.set(id, entry);
    // Subscribed before the row is read, so no update falls between the read and the subscription.
    entry.unsubscribeBus = bus.subscribe(id, (update) => observe(entry, update.prediction));
    entry.ready = refresh(entry).then(
      (found) => {
        if (!found) drop(entry);
        return found;
      },
      (error: unknown) => {
        drop(entry);
        throw error;
      },
    );
    evict();
    return entry;
  }

  function startPolling(entry: Entry): void {
    if (entry.poll !== null || entry.buffer?.finished === true) return;
    entry.poll = setInterval(() => {
      refresh(entry).catch((error: unknown) => log.warn({ err: error, predictionId: entry.id }, "stream poll failed"));
    }, options.pollMs);
    entry.poll.unref();
  }

  function stopPolling(entry: Entry): void {
    if (entry.poll !== null) clearInterval(entry.poll);
    entry.poll = null;
  }

  async function entryFor(id: string): Promise<Entry | null> {
    const known = finished.get(id) ?? live.get(id);
    if (known === undefined) {
      const entry = create(id);
      return (await entry.ready) ? entry : null;
    }
    if (!(await known.ready)) return null;
    // A live buffer may lag writes made by another process: catch up before replaying.
    if (known.buffer?.finished !== true && !(await refresh(known))) return null;
    return known;
  }

  async function subscribe(
    predictionId: string,
    lastEventId: string | null,
    listener: (event: StreamEvent) => void,
  ): Promise<StreamSubscription | null> {
    const entry = await entryFor(predictionId);
    if (entry === null || entry.buffer === null) return null;
    // Evicted while the row was being read (only possible under pressure, with nobody listening): start over.
    if (!entry.buffer.finished && !holds(entry)) return subscribe(predictionId, lastEventId, listener);
    for (const event of entry.buffer.after(lastEventId)) listener(event);
    if (entry.buffer.finished) return { finished: true, unsubscribe: () => {} };
    entry.listeners.add(listener);
    startPolling(entry);
    return {
      finished: false,
      unsubscribe() {
        entry.listeners.delete(listener);
        if (entry.listeners.size === 0) stopPolling(entry);
      },
    };
  }

  return {
    subscribe,
    forget(predictionIds) {
      for (const id of predictionIds) {
        const entry = finished.get(id) ?? live.get(id);
        if (entry !== undefined) drop(entry);
      }
    },
    stats() {
      let listeners = 0;
      for (const entry of live.values()) listeners += entry.listeners.size;
      return { entries: live.size + finished.size, bytes: totalBytes, listeners };
    },
    stop() {
      for (const entry of [...live.values(), ...finished.values()]) drop(entry);
    },
  };
}
