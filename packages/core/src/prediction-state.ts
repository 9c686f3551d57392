// The prediction state machine as a pure function: (prediction, event, now) → next state and effects, or a
// rejection. The engine persists the result with a compare-and-set on the status it started from, so two
// writers can never both win. Terminal states absorb every event; a status never moves backwards.
import type { Prediction, PredictionMetrics, PredictionPatch } from "./domain.js";
import type { Status, WebhookEvent } from "./wire.js";
import { secondsBetween } from "./clock.js";
import type { TimelineEntry } from "./scheduling.js";

export type PredictionEvent =
  /** A model instance began running predict(). */
  | { type: "started"; timeline?: TimelineEntry[] }
  /** An iterator model yielded one more chunk; it is appended to the output array. */
  | { type: "output"; chunk: unknown }
  /** The model wrote log text (already newline-terminated lines). */
  | { type: "logs"; text: string }
  /** predict() returned. `output` replaces the output when given (non-iterator models). */
  | { type: "succeeded"; output?: unknown; metrics?: PredictionMetrics; timeline?: TimelineEntry[] }
  /** predict() raised, setup failed, or the platform failed the prediction. */
  | { type: "failed"; error: string; metrics?: PredictionMetrics; timeline?: TimelineEntry[] }
  /** Someone asked to cancel through the API. */
  | { type: "cancel_requested" }
  /** The Cancel-After deadline passed. */
  | { type: "deadline_passed" }
  /** The runner holding a running prediction stopped heartbeating or restarted. */
  | { type: "runner_lost" };

export type PredictionEventType = PredictionEvent["type"];

export const PREDICTION_EVENT_TYPES: readonly PredictionEventType[] = [
  "started",
  "output",
  "logs",
  "succeeded",
  "failed",
  "cancel_requested",
  "deadline_passed",
  "runner_lost",
];

export const STATUSES: readonly Status[] = ["starting", "processing", "succeeded", "failed", "canceled", "aborted"];
export const TERMINAL_STATUSES: readonly Status[] = ["succeeded", "failed", "canceled", "aborted"];

export function isTerminal(status: Status): boolean {
  return status === "succeeded" || status === "failed" || status === "canceled" || status === "aborted";
}

/** Side effects as data; the engine carries them out after the write applied. */
export type PredictionEffect =
  /** Tell the runner holding the prediction to stop it (cancel on the instance, kill after a grace period). */
  | { type: "cancel_on_runner" }
  /** A webhook event for subscribers of this prediction (filtered and throttled by the sender). */
  | { type: "webhook"; event: WebhookEvent }
  /** A stream event for SSE subscribers. */
  | { type: "stream"; event: "output"; data: unknown }
  | { type: "stream"; event: "logs"; data: string }
  | { type: "stream"; event: "error"; data: string }
  | { type: "stream"; event: "done"; reason: "canceled" | "error" | null };

export type Transition =
  | { ok: true; from: Status; patch: PredictionPatch; next: Prediction; effects: PredictionEffect[] }
  | { ok: false; reason: "terminal" | "not_allowed"; from: Status };

/** Applies one event. `now` is the ISO timestamp the transition happens at. */
export function applyEvent(prediction: Prediction, event: PredictionEvent, now: string): Transition {
  const from = prediction.status;
  if (isTerminal(from)) return { ok: false, reason: "terminal", from };
  const patch = nextPatch(prediction, event, now);
  if (patch === null) return { ok: false, reason: "not_allowed", from };
  const next: Prediction = { ...prediction, ...patch };
  return { ok: true, from, patch, next, effects: effectsOf(prediction, next, event) };
}

function nextPatch(p: Prediction, event: PredictionEvent, now: string): PredictionPatch | null {
  const status = p.status as "starting" | "processing";
  switch (event.type) {
    case "started":
      return status === "starting" ? { status: "processing", startedAt: now } : null;
    case "output":
      if (status !== "processing") return null;
      return { output: [...(Array.isArray(p.output) ? p.output : []), event.chunk] };
    case "logs":
      return status === "processing" ? { logs: p.logs + event.text } : null;
    case "succeeded":
      if (status !== "processing") return null;
      return {
        status: "succeeded",
        completedAt: now,
        ...(event.output !== undefined ? { output: event.output } : {}),
        metrics: finalMetrics(p, event.metrics, now),
        leaseOwner: null,
        leaseExpiresAt: null,
      };
    case "failed":
      return {
        status: "failed",
        completedAt: now,
        error: event.error,
        metrics: finalMetrics(p, event.metrics, now),
        leaseOwner: null,
        leaseExpiresAt: null,
      };
    case "cancel_requested":
      return terminalWithoutResult(p, "canceled", now);
    case "deadline_passed":
      return terminalWithoutResult(p, status === "starting" ? "aborted" : "canceled", now);
    case "runner_lost":
      return status === "processing"
        ? {
            status: "failed",
            completedAt: now,
            error: "The runner running this prediction was lost",
            metrics: finalMetrics(p, undefined, now),
            leaseOwner: null,
            leaseExpiresAt: null,
          }
        : null;
    default:
      return assertNever(event);
  }
}

function terminalWithoutResult(p: Prediction, status: "canceled" | "aborted", now: string): PredictionPatch {
  return { status, completedAt: now, metrics: finalMetrics(p, undefined, now), leaseOwner: null, leaseExpiresAt: null };
}

/** predict_time counts only the run (started → now); total_time counts from creation. */
function finalMetrics(p: Prediction, reported: PredictionMetrics | undefined, now: string): PredictionMetrics {
  const metrics: PredictionMetrics = { ...(p.metrics ?? {}), ...(reported ?? {}) };
  if (p.startedAt !== null && reported?.predict_time === undefined) metrics.predict_time = secondsBetween(p.startedAt, now);
  else if (metrics.predict_time !== undefined) metrics.predict_time = Math.round(metrics.predict_time * 1e6) / 1e6;
  metrics.total_time = secondsBetween(p.createdAt, now);
  return metrics;
}

function effectsOf(before: Prediction, after: Prediction, event: PredictionEvent): PredictionEffect[] {
  switch (event.type) {
    case "started":
      return [{ type: "webhook", event: "start" }];
    case "output":
      return [{ type: "stream", event: "output", data: event.chunk }, { type: "webhook", event: "output" }];
    case "logs":
      return [{ type: "stream", event: "logs", data: event.text }, { type: "webhook", event: "logs" }];
    case "succeeded":
      return [{ type: "stream", event: "done", reason: null }, { type: "webhook", event: "completed" }];
    case "failed":
    case "runner_lost":
      return [
        { type: "stream", event: "error", data: after.error ?? "" },
        { type: "stream", event: "done", reason: "error" },
        { type: "webhook", event: "completed" },
      ];
    case "cancel_requested":
    case "deadline_passed":
      return [
        ...(before.status === "processing" || before.leaseOwner !== null ? [{ type: "cancel_on_runner" } as const] : []),
        { type: "stream", event: "done", reason: "canceled" },
        { type: "webhook", event: "completed" },
      ];
    default:
      return assertNever(event);
  }
}

export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
