// Waits for an instance to finish setup, as Cog's own CLI does (spec/cog-protocol.md §1.4): poll /health-check
// every 100 ms with a 250 ms timeout, connection errors mean "not listening yet", within a setup budget. An SDK
// instance also announces when it listens and when its setup has ended (its status pipe): each announcement asks
// at once, so a node model is seen ready within a round trip instead of half a poll interval later. Any other Cog
// server is polled only.
import { setTimeout as sleep } from "node:timers/promises";
import type { CogClient } from "./cog-client.js";

export type ReadyResult = { ok: true } | { ok: false; reason: string };

export interface ReadinessOptions {
  client: CogClient;
  baseUrl: string;
  budgetMs: number;
  /** Settles when the process is gone: no point polling a dead instance. */
  exited: Promise<unknown>;
  /** Aborts the wait (the runner is stopping the instance). */
  signal?: AbortSignal;
  pollIntervalMs?: number;
  requestTimeoutMs?: number;
  /**
   * Hands over a function to call whenever the instance announces progress: the next health check happens at once
   * (the answer is what counts; an announcement alone proves nothing).
   */
  cues?: (ask: () => void) => void;
  /** Called once, at the first health answer: the server is up and the model's setup is running. */
  onServing?: () => void;
}

/** Resolves `ok` on READY or BUSY, or a reason on SETUP_FAILED, DEFUNCT, process exit, abort or budget exceeded. */
export async function waitForReady(options: ReadinessOptions): Promise<ReadyResult> {
  const { client, baseUrl, budgetMs, signal } = options;
  let serving = false;
  const pollMs = options.pollIntervalMs ?? 100;
  const requestTimeoutMs = options.requestTimeoutMs ?? 250;
  const deadline = performance.now() + budgetMs;
  let exited = false;
  void options.exited.then(() => (exited = true));
  const exitedOrAborted = new Promise<void>((resolve) => {
    void options.exited.then(() => resolve());
    signal?.addEventListener("abort", () => resolve(), { once: true });
  });
  // An announcement during a health check must not be lost: it is kept until the next wait, which it then skips.
  let cued = false;
  let wakeUp: (() => void) | null = null;
  options.cues?.(() => {
    cued = true;
    wakeUp?.();
  });
  const nextCue = (): Promise<void> =>
    new Promise((resolve) => {
      if (cued) resolve();
      else wakeUp = resolve;
    });

  for (;;) {
    if (exited) return { ok: false, reason: "the instance process exited during setup" };
    if (signal?.aborted) return { ok: false, reason: "the instance was stopped during setup" };
    cued = false;
    const health = await client.health(baseUrl, requestTimeoutMs).catch(() => null);
    if (health !== null) {
      if (!serving) {
        serving = true;
        options.onServing?.();
      }
      if (health.status === "READY" || health.status === "BUSY") return { ok: true };
      if (health.status === "SETUP_FAILED") return { ok: false, reason: withLogs("setup failed", health.setup?.logs) };
      if (health.status === "DEFUNCT") return { ok: false, reason: withLogs("the instance is defunct", health.setup?.logs) };
    }
    if (performance.now() >= deadline) {
      return { ok: false, reason: `setup did not finish within ${budgetMs / 1000} s` };
    }
    const wait = new AbortController();
    await Promise.race([sleep(pollMs, undefined, { signal: wait.signal }).catch(() => undefined), exitedOrAborted, nextCue()]);
    wait.abort();
    wakeUp = null;
  }
}

/** Appends the tail of the setup logs, which is where a model's own error message usually is. */
function withLogs(reason: string, logs: string | undefined): string {
  const tail = (logs ?? "").trimEnd().split("\n").slice(-20).join("\n");
  return tail === "" ? reason : `${reason}\n${tail}`;
}
