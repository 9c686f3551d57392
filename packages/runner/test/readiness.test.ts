// Readiness: an SDK instance's announcements (its status pipe) make the runner ask /health-check at once, so a node
// model is seen READY as soon as its setup ends; a server that announces nothing is still found by polling.
import { describe, expect, test } from "vitest";
import { createCogClient } from "../src/index.js";
import { launchCommandFor } from "../src/instance-launch.js";
import { findFreePort } from "../src/free-port.js";
import { waitForReady } from "../src/readiness.js";
import { spawnChild } from "../src/spawn-child.js";
import { nodeVersion, rawVersion } from "./support/fixtures.js";

async function boot(runtime: Parameters<typeof launchCommandFor>[0], pollIntervalMs: number, useCues: boolean) {
  const port = await findFreePort();
  const spawned = spawnChild(await launchCommandFor(runtime, "127.0.0.1", port));
  const client = createCogClient();
  const startedAt = performance.now();
  try {
    const result = await waitForReady({
      client,
      baseUrl: `http://127.0.0.1:${port}`,
      budgetMs: 20_000,
      exited: spawned.exited,
      pollIntervalMs,
      ...(useCues ? { cues: (ask: () => void) => spawned.onStatus(() => ask()) } : {}),
    });
    return { result, ms: performance.now() - startedAt };
  } finally {
    spawned.child.kill("SIGKILL");
    await spawned.exited;
    client.close();
  }
}

describe("waiting for an instance to be ready", () => {
  test("an SDK instance's announcements end the wait long before the next poll would", async () => {
    // One poll at spawn (refused: nothing listens yet), the next in 30 s: only the announcements can end it sooner.
    const { result, ms } = await boot(nodeVersion("echo").runtime, 30_000, true);

    expect(result).toEqual({ ok: true });
    expect(ms).toBeLessThan(15_000);
  });

  test("without announcements the same instance is found by polling", async () => {
    const { result } = await boot(nodeVersion("echo").runtime, 50, false);

    expect(result).toEqual({ ok: true });
  });

  test("a Cog server with no status pipe is found by polling", async () => {
    const { result } = await boot(rawVersion().runtime, 50, true);

    expect(result).toEqual({ ok: true });
  });
});
