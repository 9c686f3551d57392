// Any Cog server works as an instance: a hand-written node:http server started as a "command" runtime.
import { describe, expect, test } from "vitest";
import { rawVersion } from "./support/fixtures.js";
import { eventually, startRunner } from "./support/runner-harness.js";

describe("a command instance (hand-written Cog server)", () => {
  test("cold-boots on the first prediction, waits for READY, runs it and reports started, logs and the output", async () => {
    const version = rawVersion();
    const { plane, runner } = await startRunner([version]);
    const p = plane.enqueue(version.versionId, { text: "world" });

    const done = await plane.waitForTerminal(p.id);

    expect(done.status).toBe("succeeded");
    expect(done.output).toBe("hello world");
    expect(done.logs).toBe("echoing world\n");
    expect(done.metrics?.predict_time).toBeGreaterThanOrEqual(0);
    expect(plane.reports(p.id).map((r) => r.event.type)).toEqual(["started", "logs", "succeeded"]);
    const [instance] = runner.instances();
    expect(instance).toMatchObject({ versionId: version.versionId, state: "ready", running: [] });
    expect(Date.parse(instance?.readyAt ?? "")).toBeLessThanOrEqual(Date.parse(done.startedAt ?? ""));
  });

  test("fails a prediction the instance rejects with 422, with the field and message", async () => {
    const version = rawVersion();
    const { plane } = await startRunner([version]);
    const p = plane.enqueue(version.versionId, { wrong: 1 });

    const done = await plane.waitForTerminal(p.id);

    expect(done.status).toBe("failed");
    expect(done.error).toBe("text: Field required");
    expect(done.startedAt).toBeNull();
  });

  test("puts a prediction back in the queue when a busy instance answers 409, and runs it once a slot frees", async () => {
    // The runtime claims two slots; the server really has one, so the second PUT gets 409.
    const version = rawVersion({ concurrency: 2 });
    const { plane } = await startRunner([version]);
    const first = plane.enqueue(version.versionId, { text: "one", delay_ms: 600 });
    const second = plane.enqueue(version.versionId, { text: "two" });

    const [a, b] = await Promise.all([plane.waitForTerminal(first.id), plane.waitForTerminal(second.id)]);

    expect(plane.releases).toContain(second.id);
    expect([a.status, b.status]).toEqual(["succeeded", "succeeded"]);
    expect(b.output).toBe("hello two");
  });

  test("cancels a running prediction on the instance, ends canceled and frees the slot for the next one", async () => {
    const version = rawVersion();
    const { plane, runner } = await startRunner([version]);
    const slow = plane.enqueue(version.versionId, { text: "slow", delay_ms: 60_000 });
    await plane.waitFor(slow.id, (p) => p.status === "processing");
    const next = plane.enqueue(version.versionId, { text: "next" });

    plane.cancel(slow.id);

    expect((await plane.waitForTerminal(next.id)).status).toBe("succeeded");
    expect(plane.get(slow.id).status).toBe("canceled");
    expect(runner.instances()).toHaveLength(1);
    await eventually(() => runner.instances()[0]?.running.length === 0, 2_000, "slot freed");
  });

  test("replaces an instance that turned DEFUNCT and runs the next prediction on a fresh one", async () => {
    const version = rawVersion();
    const { plane, runner } = await startRunner([version]);
    const crashed = await plane.waitForTerminal(plane.enqueue(version.versionId, { text: "a", crash_worker: true }).id);
    const [defunct] = runner.instances();

    const next = await plane.waitForTerminal(plane.enqueue(version.versionId, { text: "b" }).id);

    expect(crashed.error).toMatch(/^Prediction failed for an unknown reason/);
    expect(plane.releases).toContain(next.id);
    expect(next.output).toBe("hello b");
    expect(runner.instances().map((i) => i.id)).not.toContain(defunct?.id);
  });

  test("fails the queued predictions with the setup logs when the server reports SETUP_FAILED", async () => {
    const version = rawVersion({ env: { RAW_SETUP: "fail" } });
    const { plane, runner } = await startRunner([version]);
    const p = plane.enqueue(version.versionId, { text: "x" });

    const done = await plane.waitForTerminal(p.id);

    expect(done.status).toBe("failed");
    expect(done.error).toMatch(/^The model failed to set up: setup failed\n/);
    expect(done.error).toContain("RuntimeError: the weights file is corrupt");
    await eventually(() => runner.instances().length === 0, 5_000, "failed instance removed");
  });
});
