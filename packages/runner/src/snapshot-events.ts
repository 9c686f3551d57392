// Cog webhooks carry whole snapshots, not deltas (spec/cog-protocol.md §1.11). This turns the next snapshot into
// the state-machine events not yet reported, so replays and stale snapshots change nothing.
import type { PredictionEvent, PredictionMetrics } from "@ferry/core";

/** A Cog prediction snapshot; every field but `status` may be absent. */
export interface CogSnapshot {
  status?: unknown;
  output?: unknown;
  logs?: unknown;
  error?: unknown;
  metrics?: unknown;
}

/** What was already reported of one prediction. */
export interface SnapshotProgress {
  chunks: number;
  logsLength: number;
  done: boolean;
}

export const NO_PROGRESS: SnapshotProgress = { chunks: 0, logsLength: 0, done: false };

export type SnapshotEnd = "succeeded" | "failed" | "canceled" | null;

export interface SnapshotEvents {
  events: PredictionEvent[];
  /** The terminal status the snapshot carries, when it ends the prediction. */
  end: SnapshotEnd;
  progress: SnapshotProgress;
}

/**
 * New log text → one `logs` event (the suffix); for iterators each new array item → one `output` event; a terminal
 * snapshot → `succeeded` (with output unless iterator) or `failed`. A `canceled` snapshot reports nothing when the
 * runner asked for it (the engine canceled first); otherwise the instance gave up on its own and it is a failure.
 */
export function eventsFromSnapshot(
  progress: SnapshotProgress,
  snapshot: CogSnapshot,
  outputIsIterator: boolean,
  cancelRequested: boolean,
): SnapshotEvents {
  if (progress.done) return { events: [], end: null, progress };
  const status = typeof snapshot.status === "string" ? snapshot.status : "processing";
  const end: SnapshotEnd = status === "succeeded" || status === "failed" || status === "canceled" ? status : null;
  if (end === "canceled" && cancelRequested) return { events: [], end, progress: { ...progress, done: true } };

  const events: PredictionEvent[] = [];
  const next: SnapshotProgress = { ...progress, done: end !== null };
  if (typeof snapshot.logs === "string" && snapshot.logs.length > progress.logsLength) {
    events.push({ type: "logs", text: snapshot.logs.slice(progress.logsLength) });
    next.logsLength = snapshot.logs.length;
  }
  if (outputIsIterator && Array.isArray(snapshot.output) && snapshot.output.length > progress.chunks) {
    for (const chunk of snapshot.output.slice(progress.chunks)) events.push({ type: "output", chunk: chunk as unknown });
    next.chunks = snapshot.output.length;
  }
  const metrics = metricsOf(snapshot.metrics);
  if (end === "succeeded") {
    events.push({
      type: "succeeded",
      ...(!outputIsIterator && snapshot.output !== undefined ? { output: snapshot.output } : {}),
      ...(metrics ? { metrics } : {}),
    });
  } else if (end === "failed") {
    const error = typeof snapshot.error === "string" && snapshot.error !== "" ? snapshot.error : "The model failed without an error message";
    events.push({ type: "failed", error, ...(metrics ? { metrics } : {}) });
  } else if (end === "canceled") {
    events.push({ type: "failed", error: "The model instance canceled the prediction on its own", ...(metrics ? { metrics } : {}) });
  }
  return { events, end, progress: next };
}

/** Numbers only (Cog metrics may nest objects, which the prediction's metrics cannot hold). */
function metricsOf(value: unknown): PredictionMetrics | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const metrics: PredictionMetrics = {};
  let any = false;
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry === "number" && Number.isFinite(entry)) {
      metrics[key] = entry;
      any = true;
    }
  }
  return any ? metrics : undefined;
}
