// Every status change of a prediction goes through here: core applyEvent, then a compare-and-set write,
// re-read and re-applied when another writer won. Events for one prediction are serialized in this process,
// and each applied write is published on the bus (cancel_on_runner also becomes a runner signal).
import { applyEvent, isTerminal, isoNow } from "@ferry/core";
import type {
  Clock,
  Prediction,
  PredictionEffect,
  PredictionEvent,
  PredictionPatch,
  Store,
  TimelineEntry,
  Transition,
  WebhookMessage,
} from "@ferry/core";
import { createBoundedMap } from "./bounded-map.js";
import type { PredictionBus, PredictionUpdate } from "./engine-types.js";
import { createKeyedQueue } from "./keyed-queue.js";
import { timelineFor } from "./scheduler/timeline.js";
import type { RunnerSignals } from "./runner-signals.js";

/** How many times a write is retried after losing a compare-and-set race before giving up. */
const MAX_ATTEMPTS = 8;
const ROW_CACHE_SIZE = 10_000;

export type WriteResult =
  | { kind: "applied"; prediction: Prediction; effects: PredictionEffect[] }
  /** The event does not apply (terminal, not allowed in this status, or the guard refused). */
  | { kind: "rejected"; prediction: Prediction }
  | { kind: "not_found" };

export interface WriteOptions {
  /**
   * A row to try first instead of reading (a fresh read from a sweep, or this process's last write). A
   * rejection or a lost race on it is retried against a fresh read.
   */
  candidate?: Prediction;
  /** Use this process's cached row, when it satisfies `trustCached`, instead of a first read. */
  useCache?: boolean;
  trustCached?: (row: Prediction, afterPredecessor: boolean) => boolean;
  /** Refuses the event (kind "rejected") unless the row passes; checked on every attempt. */
  guard?: (row: Prediction) => boolean;
  /**
   * A `succeeded` event on a row still "starting" is written as `started` and `succeeded` at once (one
   * compare-and-set from "starting") when the row passes: the prediction ended before its start was reported.
   */
  impliedStart?: (row: Prediction) => boolean;
}

export interface PredictionWriter {
  apply(id: string, event: PredictionEvent, options?: WriteOptions): Promise<WriteResult>;
  /** Rows this process wrote or read last, for the hot path (null entries are never stored). */
  remember(row: Prediction): void;
  forget(id: string): void;
  cached(id: string): Prediction | undefined;
}

export function createPredictionWriter(deps: {
  store: Store;
  clock: Clock;
  bus: PredictionBus;
  signals: RunnerSignals;
  /** Adds to a transition's patch before it is written (data retention sets dataExpiresAt on the ending write). */
  onTransition?: (row: Prediction, patch: PredictionPatch) => PredictionPatch | Promise<PredictionPatch>;
  /**
   * Webhook messages written in the same transaction as a transition, only if it applies (the completed
   * delivery's outbox). Given the row before the write and the patch it applies.
   */
  outbox?: (row: Prediction, patch: PredictionPatch, effects: readonly PredictionEffect[]) => WebhookMessage[] | Promise<WebhookMessage[]>;
  /** Told of every applied write, after the bus (intermediate webhooks). */
  onApplied?: (update: PredictionUpdate) => void;
  /** Timeline entries the engine adds when a prediction starts (the scheduler's waiting_for_capacity). */
  startPhases?: (row: Prediction, startedAt: string) => TimelineEntry[];
}): PredictionWriter {
  const { store, clock, bus, signals, onTransition, outbox, onApplied, startPhases } = deps;
  const queue = createKeyedQueue();
  const rows = createBoundedMap<Prediction>(ROW_CACHE_SIZE);

  function remember(row: Prediction): void {
    if (isTerminal(row.status)) rows.delete(row.id);
    else rows.set(row.id, row);
  }

  async function read(id: string): Promise<Prediction | null> {
    const row = await store.predictions.get(id);
    if (row === null) rows.delete(id);
    else remember(row);
    return row;
  }

  async function applyNow(id: string, event: PredictionEvent, options: WriteOptions, afterPredecessor: boolean): Promise<WriteResult> {
    let row: Prediction | null = null;
    let fresh = false;
    if (options.candidate !== undefined) row = options.candidate;
    else if (options.useCache === true) {
      const cached = rows.get(id);
      if (cached !== undefined && (options.trustCached?.(cached, afterPredecessor) ?? true)) row = cached;
    }
    if (row === null) {
      row = await read(id);
      fresh = true;
    }
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      if (row === null) return { kind: "not_found" };
      const allowed = options.guard?.(row) ?? true;
      const now = isoNow(clock);
      const transition = allowed ? transitionOf(row, event, now, options) : null;
      if (transition === null || !transition.ok) {
        if (fresh) return { kind: "rejected", prediction: row };
        row = await read(id);
        fresh = true;
        continue;
      }
      const timeline = timelineFor(row, event, transition.patch, now, startPhases);
      const phased = timeline === undefined ? transition.patch : { ...transition.patch, timeline };
      const extended = onTransition?.(row, phased) ?? phased;
      const patch = extended instanceof Promise ? await extended : extended;
      const decided = outbox?.(row, patch, transition.effects);
      const enqueue = decided instanceof Promise ? await decided : decided;
      const updated = await store.predictions.update(id, transition.from, patch, enqueue !== undefined && enqueue.length > 0 ? { enqueue } : undefined);
      if (updated !== null) {
        remember(updated);
        const update = { prediction: updated, effects: transition.effects };
        bus.publish(update);
        onApplied?.(update);
        if (transition.effects.some((effect) => effect.type === "cancel_on_runner")) {
          signals.emit({ type: "cancel", predictionId: id });
        }
        return { kind: "applied", prediction: updated, effects: transition.effects };
      }
      row = await read(id);
      fresh = true;
    }
    throw new Error(`prediction ${id}: gave up after ${MAX_ATTEMPTS} lost compare-and-set races`);
  }

  return {
    apply: (id, event, options = {}) => queue.run(id, (afterPredecessor) => applyNow(id, event, options, afterPredecessor)),
    remember,
    forget: (id) => rows.delete(id),
    cached: (id) => rows.get(id),
  };
}

/** applyEvent, or for an implied start the two transitions as one: from "starting" to "succeeded". */
function transitionOf(row: Prediction, event: PredictionEvent, now: string, options: WriteOptions): Transition {
  const direct = applyEvent(row, event, now);
  if (direct.ok || event.type !== "succeeded" || row.status !== "starting" || options.impliedStart?.(row) !== true) return direct;
  // The run began predict_time before it ended (as the instance measured it), never before the prediction existed.
  const predictSeconds = event.metrics?.predict_time;
  const startedAt =
    predictSeconds === undefined
      ? now
      : new Date(Math.max(Date.parse(row.createdAt), Date.parse(now) - Math.round(predictSeconds * 1000))).toISOString();
  const started = applyEvent(row, { type: "started" }, startedAt);
  if (!started.ok) return direct;
  const ended = applyEvent(started.next, event, now);
  if (!ended.ok) return direct;
  return { ok: true, from: row.status, patch: { ...started.patch, ...ended.patch }, next: ended.next, effects: [...started.effects, ...ended.effects] };
}
