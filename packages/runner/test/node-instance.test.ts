// The runner with defineModel instances (the SDK's instance bin as a child process) and an in-memory control plane.
import { describe, expect, test } from "vitest";
import type { Prediction } from "@ferry/core";
import { nodeVersion } from "./support/fixtures.js";
import { createManualClock } from "./support/manual-clock.js";
import { eventually, startRunner } from "./support/runner-harness.js";

describe("a runner with node instances", () => {
  test("cold-boots an instance for the first prediction, runs it once READY and reuses the warm instance", async () => {
    const version = nodeVersion("echo");
    const { plane, runner } = await startRunner([version]);

    const first = await plane.waitForTerminal(plane.enqueue(version.versionId, { text: "world" }).id);
    const [booted] = runner.instances();
    const second = await plane.waitForTerminal(plane.enqueue(version.versionId, { text: "again" }).id);

    expect(first).toMatchObject({ status: "succeeded", output: "hello world", logs: "echoing world\n", error: null });
    expect(first.metrics).toMatchObject({ characters: 5 });
    expect(second.output).toBe("hello again");
    expect(runner.instances().map((i) => i.id)).toEqual([booted?.id]);
    expect(Date.parse(booted?.readyAt ?? "")).toBeLessThanOrEqual(Date.parse(first.startedAt ?? ""));
  });

  test("reports iterator chunks in order, each after its log line, and succeeds without replacing the output", async () => {
    const version = nodeVersion("counter", { iterator: true });
    const { plane } = await startRunner([version]);

    const done = await plane.waitForTerminal(plane.enqueue(version.versionId, { count: 4 }).id);

    expect(done.status).toBe("succeeded");
    expect(done.output).toEqual(["chunk-1", "chunk-2", "chunk-3", "chunk-4"]);
    expect(done.logs).toBe("step 1\nstep 2\nstep 3\nstep 4\n");
    const events = plane.reports(done.id).map((r) => r.event);
    expect(events[0]?.type).toBe("started");
    expect(events.filter((e) => e.type === "output").map((e) => e.chunk)).toEqual(["chunk-1", "chunk-2", "chunk-3", "chunk-4"]);
    for (let i = 1; i <= 4; i++) {
      let logs = "";
      const logIndex = events.findIndex((e) => e.type === "logs" && (logs += e.text).includes(`step ${i}`));
      const chunkIndex = events.findIndex((e) => e.type === "output" && e.chunk === `chunk-${i}`);
      expect(logIndex).toBeLessThan(chunkIndex);
    }
    const last = events.at(-1);
    expect(last?.type).toBe("succeeded");
    expect(last && "output" in last).toBe(false);
    expect(plane.reports(done.id).every((r) => r.applied)).toBe(true);
  });

  test("fails a prediction whose predict raises, with the model's message, and keeps serving", async () => {
    const version = nodeVersion("echo");
    const { plane, runner } = await startRunner([version]);

    const failed = await plane.waitForTerminal(plane.enqueue(version.versionId, { text: "x", fail: true }).id);
    const next = await plane.waitForTerminal(plane.enqueue(version.versionId, { text: "y" }).id);

    expect(failed).toMatchObject({ status: "failed", error: "cannot echo x" });
    expect(failed.logs).toContain("echoing x");
    expect(next.status).toBe("succeeded");
    expect(runner.instances()).toHaveLength(1);
  });

  test("fails every queued prediction with the setup error when setup throws, and removes the instance", async () => {
    const version = nodeVersion("broken-setup");
    const { plane, runner } = await startRunner([version]);
    const ids = [plane.enqueue(version.versionId, { text: "a" }).id, plane.enqueue(version.versionId, { text: "b" }).id];

    const done = await Promise.all(ids.map((id) => plane.waitForTerminal(id)));

    for (const p of done) {
      expect(p.status).toBe("failed");
      expect(p.error).toMatch(/^The model failed to set up: /);
      expect(p.error).toContain("weights file not found: /nowhere/model.bin");
      expect(p.startedAt).toBeNull();
    }
    await eventually(() => runner.instances().length === 0, 5_000, "failed instance removed");
  });

  test("fails the running prediction with the exit code and the last stderr lines when the instance dies mid-predict", async () => {
    const version = nodeVersion("crash-in-predict");
    const { plane, runner } = await startRunner([version]);

    const done = await plane.waitForTerminal(plane.enqueue(version.versionId, { text: "big" }).id);

    expect(done.status).toBe("failed");
    expect(done.error).toMatch(/^The model instance stopped unexpectedly \(exit code 3, signal none\) while running this prediction\n/);
    expect(done.error).toContain("CUDA error: out of memory");
    await eventually(() => runner.instances().length === 0, 5_000, "dead instance removed");
  });

  test("cancels a cooperative prediction: it ends canceled, the slot frees and the same instance runs the next one", async () => {
    const version = nodeVersion("echo");
    const { plane, runner } = await startRunner([version]);
    const slow = plane.enqueue(version.versionId, { text: "slow", delay_ms: 60_000 });
    await plane.waitFor(slow.id, (p) => p.status === "processing");
    const [instance] = runner.instances();

    plane.cancel(slow.id);
    const next = await plane.waitForTerminal(plane.enqueue(version.versionId, { text: "next" }).id);

    expect(plane.get(slow.id).status).toBe("canceled");
    expect(next.status).toBe("succeeded");
    expect(runner.instances().map((i) => i.id)).toEqual([instance?.id]);
  });

  test("kills an instance that ignores a cancel once the grace period is over, failing the other prediction on it", async () => {
    const version = nodeVersion("ignores-cancel", { concurrency: 2 });
    const { plane, runner } = await startRunner([version], { cancelGraceMs: 500 });
    const stuck = plane.enqueue(version.versionId, { text: "a" });
    const bystander = plane.enqueue(version.versionId, { text: "b" });
    await Promise.all([stuck, bystander].map((p) => plane.waitFor(p.id, (x) => x.status === "processing")));
    const killed = runner.instances()[0]?.id;

    const canceledAt = Date.now();
    plane.cancel(stuck.id);
    const failed = await plane.waitForTerminal(bystander.id);

    expect(Date.now() - canceledAt).toBeGreaterThanOrEqual(450);
    expect(plane.get(stuck.id).status).toBe("canceled");
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/^The model instance stopped unexpectedly \(exit code none, signal SIGKILL\)/);
    // The version keeps its warm target, so a replacement may boot at once (from the spare process, quickly).
    await eventually(() => killed !== undefined && !runner.instances().some((i) => i.id === killed), 5_000, "killed instance removed");
  });

  test("stops an instance once its target drops to zero (the idle window) and cold-boots a new one for the next prediction", async () => {
    const clock = createManualClock();
    const version = nodeVersion("echo");
    const { plane, runner } = await startRunner([version], { clock }, { idleWindowMs: 60_000 });
    await plane.waitForTerminal(plane.enqueue(version.versionId, { text: "one" }).id);
    const first = runner.instances()[0]?.id;

    clock.advance(59_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(runner.instances().map((i) => i.id)).toEqual([first]);
    clock.advance(1_000);
    await eventually(() => runner.instances().length === 0, 10_000, "scaled to zero");

    const again = await plane.waitForTerminal(plane.enqueue(version.versionId, { text: "two" }).id);
    expect(again.output).toBe("hello two");
    expect(runner.instances()).toHaveLength(1);
    expect(runner.instances()[0]?.id).not.toBe(first);
  });

  test("never runs more predictions at once on an instance than its concurrency", async () => {
    const version = nodeVersion("echo", { concurrency: 2 });
    const { plane, runner } = await startRunner([version]);
    const ids = Array.from({ length: 5 }, (_, i) => plane.enqueue(version.versionId, { text: `p${i}`, delay_ms: 600 }).id);

    const done = await Promise.all(ids.map((id) => plane.waitForTerminal(id)));

    expect(done.every((p) => p.status === "succeeded")).toBe(true);
    expect(maxOverlap(done)).toBe(2);
    expect(plane.releases).toEqual([]);
    expect(runner.instances()).toHaveLength(1);
  });

  test("renews the leases of the predictions it is running", async () => {
    const version = nodeVersion("echo");
    const { plane } = await startRunner([version], { leaseRenewIntervalMs: 100 });
    const p = plane.enqueue(version.versionId, { text: "slow", delay_ms: 1_000 });
    const claimed = await plane.waitFor(p.id, (x) => x.status === "processing");

    const renewed = await plane.waitFor(p.id, (x) => (x.leaseExpiresAt ?? "") > (claimed.leaseExpiresAt ?? ""), 3_000);

    expect(renewed.status).toBe("processing");
    expect((await plane.waitForTerminal(p.id)).status).toBe("succeeded");
  });
});

/** The most predictions that were processing at the same moment. */
function maxOverlap(predictions: Prediction[]): number {
  const edges = predictions.flatMap((p) => [
    { at: Date.parse(p.startedAt ?? ""), delta: 1 },
    { at: Date.parse(p.completedAt ?? ""), delta: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let current = 0;
  let max = 0;
  for (const edge of edges) max = Math.max(max, (current += edge.delta));
  return max;
}
