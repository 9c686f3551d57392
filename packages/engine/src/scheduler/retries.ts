// Platform failures before a model began work (runner lost, setup failed, dispatch error, a lease that ran out)
// are retried: the prediction goes back to the queue with attempt + 1 and a `retrying` timeline entry, in the same
// write that releases its lease. After the last attempt it fails with the reason. A model's own error never comes
// here: it ends the prediction through report().
import { isoNow } from "@ferry/core";
import type { Clock, Prediction, Store } from "@ferry/core";
import type { PredictionWriter } from "../prediction-writer.js";
import type { RunnerSignals } from "../runner-signals.js";
import { retryingEntry } from "./timeline.js";

/** Tries in all, the first included. */
export const MAX_ATTEMPTS = 3;

export type RetryOutcome = "requeued" | "failed" | "not_held";

export interface Retries {
  /**
   * Re-queues `row` (status starting, leased by `runnerId`) for another attempt, or fails it after the last one.
   * "not_held" when the runner no longer holds it or it has started (nothing changes).
   */
  retry(row: Prediction, runnerId: string, reason: string): Promise<RetryOutcome>;
}

export function failedAfterRetriesMessage(reason: string, attempts: number): string {
  return `The prediction could not be started after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${reason}`;
}

export function createRetries(deps: { store: Store; clock: Clock; writer: PredictionWriter; signals: RunnerSignals; maxAttempts?: number }): Retries {
  const { store, clock, writer, signals } = deps;
  const maxAttempts = deps.maxAttempts ?? MAX_ATTEMPTS;
  return {
    async retry(row, runnerId, reason) {
      if (row.status !== "starting" || row.leaseOwner !== runnerId) return "not_held";
      const attempt = row.attempt ?? 1;
      if (attempt >= maxAttempts) {
        const result = await writer.apply(
          row.id,
          { type: "failed", error: failedAfterRetriesMessage(reason, attempt) },
          { candidate: row, guard: (current) => current.status === "starting" && current.leaseOwner === runnerId },
        );
        return result.kind === "applied" ? "failed" : "not_held";
      }
      const next = attempt + 1;
      const timeline = [...(row.timeline ?? []), retryingEntry(isoNow(clock), reason, next, runnerId)];
      const released = await store.predictions.releaseLease(row.id, runnerId, { timeline, attempt: next });
      writer.forget(row.id);
      if (!released) return "not_held";
      signals.emit({ type: "work_queued", versionId: row.versionId });
      return "requeued";
    },
  };
}
