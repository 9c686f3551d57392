// Every way a cold boot can fail ends the queued work with a reason a user can act on, and never loops hot.
import { describe, expect, test } from "vitest";
import type { VersionRuntime } from "@ferry/core";
import { nodeVersion, rawVersion } from "./support/fixtures.js";
import { createManualClock } from "./support/manual-clock.js";
import { eventually, startRunner } from "./support/runner-harness.js";

function commandVersion(command: string, args: string[]): VersionRuntime {
  return { ...rawVersion(), runtime: { kind: "command", command, args, concurrency: 1 } };
}

describe("when setup fails", () => {
  test("a process that exits during setup fails the queued work with its exit code and stderr", async () => {
    const version = commandVersion(process.execPath, ["-e", "console.error('no GPU found'); process.exit(7)"]);
    const { plane } = await startRunner([version]);

    const done = await plane.waitForTerminal(plane.enqueue(version.versionId, { text: "x" }).id);

    expect(done.error).toBe("The model failed to set up: the instance process exited during setup (exit code 7, signal none)\nno GPU found");
  });

  test("an executable that does not exist fails the queued work with the spawn error", async () => {
    const version = commandVersion("/nonexistent/cog-server", []);
    const { plane } = await startRunner([version]);

    const done = await plane.waitForTerminal(plane.enqueue(version.versionId, { text: "x" }).id);

    expect(done.error).toMatch(/^The model failed to set up: the instance process could not be started: .*ENOENT/);
  });

  test("a setup that outlasts setupTimeoutMs fails the queued work and the instance is killed", async () => {
    const version = rawVersion({ env: { RAW_SETUP_MS: "60000" } });
    const { plane, runner } = await startRunner([version], { setupTimeoutMs: 500 });

    const done = await plane.waitForTerminal(plane.enqueue(version.versionId, { text: "x" }).id);

    expect(done.error).toMatch(/^The model failed to set up: setup did not finish within 0\.5 s/);
    await eventually(() => runner.instances().length === 0, 5_000, "instance killed");
  });

  test("a version whose setup failed is not booted again until the retry delay has passed", async () => {
    const clock = createManualClock();
    const version = nodeVersion("broken-setup");
    const { plane, runner } = await startRunner([version], { clock });
    await plane.waitForTerminal(plane.enqueue(version.versionId, { text: "a" }).id);
    await eventually(() => runner.instances().length === 0, 5_000, "failed instance removed");

    const later = plane.enqueue(version.versionId, { text: "b" });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(runner.instances()).toEqual([]);
    expect(plane.get(later.id).status).toBe("starting");

    clock.advance(1_000);
    const done = await plane.waitForTerminal(later.id);
    expect(done.error).toContain("weights file not found");
  });
});

describe("with maxInstances", () => {
  test("stops the longest-idle instance of another version to make room for a version with queued work", async () => {
    const first = nodeVersion("echo");
    const second = rawVersion();
    const { plane, runner } = await startRunner([first, second], { maxInstances: 1 });
    await plane.waitForTerminal(plane.enqueue(first.versionId, { text: "a" }).id);
    const [old] = runner.instances();

    const done = await plane.waitForTerminal(plane.enqueue(second.versionId, { text: "b" }).id);

    expect(done.output).toBe("hello b");
    expect(runner.instances().map((i) => i.versionId)).toEqual([second.versionId]);
    expect(runner.instances()[0]?.id).not.toBe(old?.id);
  });

  test("does not stop an instance that is running a prediction", async () => {
    const first = nodeVersion("echo");
    const second = rawVersion();
    const { plane, runner } = await startRunner([first, second], { maxInstances: 1 });
    const busy = plane.enqueue(first.versionId, { text: "a", delay_ms: 1_000 });
    await plane.waitFor(busy.id, (p) => p.status === "processing");

    const waiting = plane.enqueue(second.versionId, { text: "b" });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(runner.instances().map((i) => i.versionId)).toEqual([first.versionId]);

    expect((await plane.waitForTerminal(busy.id)).status).toBe("succeeded");
    expect((await plane.waitForTerminal(waiting.id)).output).toBe("hello b");
  });
});
