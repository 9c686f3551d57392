// Waits for an instance to finish setup, as Cog's own CLI does (spec/cog-protocol.md §1.4): poll /health-check
// every 100 ms with a 250 ms timeout, connection errors mean "not listening yet", within a setup budget.
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

  for (;;) {
    if (exited) return { ok: false, reason: "the instance process exited during setup" };
    if (signal?.aborted) return { ok: false, reason: "the instance was stopped during setup" };
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
    await Promise.race([sleep(pollMs), exitedOrAborted]);
  }
}

/** Appends the tail of the setup logs, which is where a model's own error message usually is. */
function withLogs(reason: string, logs: string | undefined): string {
  const tail = (logs ?? "").trimEnd().split("\n").slice(-20).join("\n");
  return tail === "" ? reason : `${reason}\n${tail}`;
}
