// The throttle of intermediate (`output`, `logs`) webhooks: at most one per prediction every WEBHOOK_THROTTLE_MS,
// and the one that goes out at the end of a window carries the latest state offered during it.
import type { Clock, Prediction } from "@ferry/core";
import { createBoundedMap } from "../bounded-map.js";
import type { ThrottledEvent } from "./decide.js";

/** setTimeout by default; tests pass timers they fire by hand. */
export interface Timers {
  set(ms: number, fire: () => void): unknown;
  clear(handle: unknown): void;
}

export const realTimers: Timers = {
  set(ms, fire) {
    const handle = setTimeout(fire, ms);
    handle.unref();
    return handle;
  },
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** The latest state offered and not yet sent. */
export interface PendingUpdate {
  row: Prediction;
  event: ThrottledEvent;
}

export interface WebhookThrottle {
  /** Sends now when the prediction's window is free, else keeps `row` as the latest and sends it when the window ends. */
  offer(row: Prediction, event: ThrottledEvent): void;
  /** What a prediction still has waiting (the terminal write sends it at once, with the completed message). */
  pending(predictionId: string): PendingUpdate | null;
  /** Drops a prediction's state and timer (after its terminal write). */
  end(predictionId: string): void;
  /** Drops every timer. */
  stop(): void;
}

interface State {
  /** When the last message went out (clock ms). */
  lastSentAt: number;
  pending: PendingUpdate | null;
  timer: unknown;
}

/** Predictions whose throttle state is kept; older ones are forgotten (at worst one early message). */
const MAX_TRACKED = 10_000;

export function createWebhookThrottle(deps: {
  clock: Clock;
  intervalMs: number;
  timers?: Timers;
  send: (row: Prediction, event: ThrottledEvent) => void;
}): WebhookThrottle {
  const { clock, intervalMs, send } = deps;
  const timers = deps.timers ?? realTimers;
  const states = createBoundedMap<State>(MAX_TRACKED);
  const timersSet = new Set<unknown>();

  function fire(id: string, handle: unknown): void {
    timersSet.delete(handle);
    const state = states.get(id);
    if (state === undefined || state.timer !== handle) return;
    state.timer = null;
    const pending = state.pending;
    if (pending === null) return;
    state.pending = null;
    state.lastSentAt = clock.now().getTime();
    send(pending.row, pending.event);
  }

  return {
    offer(row, event) {
      const now = clock.now().getTime();
      let state = states.get(row.id);
      if (state === undefined) {
        state = { lastSentAt: Number.NEGATIVE_INFINITY, pending: null, timer: null };
        states.set(row.id, state);
      }
      if (state.pending === null && now - state.lastSentAt >= intervalMs) {
        state.lastSentAt = now;
        send(row, event);
        return;
      }
      state.pending = { row, event };
      if (state.timer === null) {
        const handle: unknown = timers.set(Math.max(0, state.lastSentAt + intervalMs - now), () => fire(row.id, handle));
        state.timer = handle;
        timersSet.add(handle);
      }
    },
    pending: (id) => states.get(id)?.pending ?? null,
    end(id) {
      const state = states.get(id);
      if (state !== undefined && state.timer !== null) {
        timers.clear(state.timer);
        timersSet.delete(state.timer);
      }
      states.delete(id);
    },
    stop() {
      for (const handle of timersSet) timers.clear(handle);
      timersSet.clear();
      states.clear();
    },
  };
}
