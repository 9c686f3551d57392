// The engine's background work: Cancel-After deadlines, expired leases, and (embedded mode) recovery of
// predictions orphaned by an earlier process. Each sweep is a tick function the timers call; tests call them.
import { isoNow } from "@ferry/core";
import type { Clock, Logger, Prediction, Store } from "@ferry/core";
import type { PredictionWriter } from "./prediction-writer.js";
import type { RunnerSignals } from "./runner-signals.js";
import type { Retries } from "./scheduler/retries.js";

/** The error a running prediction fails with when the server that ran it restarted. */
export const SERVER_RESTARTED_ERROR = "The model instance stopped because the server restarted while this prediction was running";

const DEADLINE_BATCH = 100;
/** Later than any lease: finds every leased, non-terminal prediction. */
const END_OF_TIME = "9999-12-31T23:59:59.999Z";

export interface BackgroundLoopsDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  writer: PredictionWriter;
  signals: RunnerSignals;
  /** Unstarted work whose runner went away is retried (attempt + 1, a `retrying` timeline entry) up to the limit. */
  retries: Retries;
  deadlineSweepMs: number;
  leaseSweepMs: number;
}

export interface BackgroundLoops {
  /** Ends predictions whose deadline passed: aborted before start, canceled (and stopped) after. */
  sweepDeadlines(): Promise<number>;
  /** Re-queues unstarted predictions whose lease ran out; fails started ones (runner lost). */
  sweepExpiredLeases(): Promise<number>;
  /** Treats every held lease as orphaned: re-queues unstarted work, fails running work. */
  recoverOrphans(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

export function createBackgroundLoops(deps: BackgroundLoopsDeps): BackgroundLoops {
  const { store, clock, log, writer, retries } = deps;
  const timers: NodeJS.Timeout[] = [];
  const running = new Set<Promise<unknown>>();

  async function sweepDeadlines(): Promise<number> {
    let ended = 0;
    for (;;) {
      const due = await store.predictions.findPastDeadline(isoNow(clock), DEADLINE_BATCH);
      let appliedThisBatch = 0;
      for (const row of due) {
        const result = await writer.apply(row.id, { type: "deadline_passed" }, { candidate: row });
        if (result.kind === "applied") appliedThisBatch += 1;
      }
      ended += appliedThisBatch;
      if (due.length < DEADLINE_BATCH || appliedThisBatch === 0) return ended;
    }
  }

  /** Returns an unstarted prediction to the queue (a retry, for `reason`), or fails a started one with `failure`. */
  async function reclaim(row: Prediction, reason: string, failure: { type: "runner_lost" } | { type: "failed"; error: string }): Promise<boolean> {
    if (row.status === "starting") {
      if (row.leaseOwner === null) return false;
      return (await retries.retry(row, row.leaseOwner, reason)) !== "not_held";
    }
    const result = await writer.apply(row.id, failure, { candidate: row });
    return result.kind === "applied";
  }

  async function sweepExpiredLeases(): Promise<number> {
    const expired = await store.predictions.findLeased({ expiredBefore: isoNow(clock) });
    let reclaimed = 0;
    for (const row of expired) if (await reclaim(row, "lease expired", { type: "runner_lost" })) reclaimed += 1;
    if (reclaimed > 0) log.warn({ count: reclaimed }, "reclaimed predictions whose runner lease expired");
    return reclaimed;
  }

  async function recoverOrphans(): Promise<number> {
    const orphans = await store.predictions.findLeased({ expiredBefore: END_OF_TIME });
    let recovered = 0;
    for (const row of orphans) if (await reclaim(row, "server restarted", { type: "failed", error: SERVER_RESTARTED_ERROR })) recovered += 1;
    if (recovered > 0) log.warn({ count: recovered }, "recovered predictions orphaned by an earlier process");
    return recovered;
  }

  /** Runs `sweep` every `everyMs`, never two at once, logging failures instead of stopping. */
  function every(everyMs: number, name: string, sweep: () => Promise<number>): void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      const run = sweep()
        .catch((error: unknown) => log.error({ err: error, sweep: name }, "background sweep failed"))
        .finally(() => {
          busy = false;
          running.delete(run);
        });
      running.add(run);
    }, everyMs);
    timer.unref();
    timers.push(timer);
  }

  return {
    sweepDeadlines,
    sweepExpiredLeases,
    recoverOrphans,
    start() {
      if (timers.length > 0) return;
      every(deps.deadlineSweepMs, "deadlines", sweepDeadlines);
      every(deps.leaseSweepMs, "leases", sweepExpiredLeases);
    },
    async stop() {
      for (const timer of timers.splice(0)) clearInterval(timer);
      await Promise.allSettled([...running]);
    },
  };
}
