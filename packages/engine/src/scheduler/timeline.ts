// A prediction's timeline grows with the status writes that already happen: the runner's entries ride on its
// started/succeeded/failed events, and the engine adds the phases it decides itself (running, the terminal status).
// No write of its own, so the warm path costs nothing more than a longer JSON text.
import type { Prediction, PredictionEvent, PredictionPatch, TimelineEntry, TimelinePhase } from "@ferry/core";

/** A failure's reason repeats the start of its error; the full error stays in `error`. */
const MAX_REASON_LENGTH = 200;

const TERMINAL_REASONS: Partial<Record<PredictionEvent["type"], string>> = {
  cancel_requested: "canceled through the API",
  deadline_passed: "the Cancel-After deadline passed",
  runner_lost: "runner lost",
};

/**
 * The timeline a transition's patch should write, or undefined when the transition adds nothing (output and logs
 * events). `patch` is the transition's own patch: its status and startedAt say which phases began; `startPhases`
 * adds the engine's own entries for the wait before the start (waiting_for_capacity).
 */
export function timelineFor(
  row: Prediction,
  event: PredictionEvent,
  patch: PredictionPatch,
  now: string,
  startPhases?: (row: Prediction, startedAt: string) => TimelineEntry[],
): TimelineEntry[] | undefined {
  const reported = "timeline" in event && event.timeline !== undefined ? event.timeline : [];
  const added: TimelineEntry[] = [...reported];
  if (patch.startedAt !== undefined && patch.startedAt !== null && startPhases !== undefined) added.push(...startPhases(row, patch.startedAt));
  const attempt = row.attempt ?? 1;
  const has = (phase: TimelinePhase): boolean => added.some((entry) => entry.phase === phase);
  if (patch.startedAt !== undefined && patch.startedAt !== null && !has("running")) {
    added.push({ phase: "running", at: patch.startedAt, attempt, ...(row.leaseOwner !== null ? { runner_id: row.leaseOwner } : {}) });
  }
  const ended = patch.status;
  if (ended !== undefined && ended !== "starting" && ended !== "processing" && !has(ended)) {
    const reason = ended === "failed" ? (patch.error?.slice(0, MAX_REASON_LENGTH) ?? TERMINAL_REASONS[event.type]) : TERMINAL_REASONS[event.type];
    added.push({ phase: ended, at: now, attempt, ...(reason !== undefined && reason !== null ? { reason } : {}) });
  }
  if (added.length === 0) return undefined;
  // Stable by time: a runner's booting entry may precede the engine's running one that is added after it.
  added.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return [...(row.timeline ?? []), ...added];
}

/** The entry a re-queued prediction gets, for its next attempt. */
export function retryingEntry(at: string, reason: string, attempt: number, runnerId: string | null): TimelineEntry {
  return { phase: "retrying", at, reason, attempt, ...(runnerId !== null ? { runner_id: runnerId } : {}) };
}
