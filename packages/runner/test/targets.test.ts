// The runner's side of the scheduling contract: it registers, heartbeats its instances, holds the instances the
// targets ask for (idle ones above a target stop, busy ones drain), reports instance events, carries its timeline
// entries on the events it reports anyway, and gives a reason when it returns work after a platform failure.
import { describe, expect, test } from "vitest";
import type { InstanceEvent, PredictionEvent, TimelineEntry } from "@ferry/core";
import { nodeVersion, rawVersion } from "./support/fixtures.js";
import { eventually, startRunner } from "./support/runner-harness.js";

const phasesOf = (event: PredictionEvent | undefined): string[] =>
  ((event as { timeline?: TimelineEntry[] } | undefined)?.timeline ?? []).map((e) => e.phase);
const eventsOfType = (events: InstanceEvent[], type: InstanceEvent["type"]) => events.filter((e) => e.type === type);

describe("a runner following its targets", () => {
  test("registers its hardware and capacity, then heartbeats the instances it holds", async () => {
    const version = nodeVersion("echo");
    const { plane, runner } = await startRunner([version], { hardware: ["cpu", "gpu-t4"], name: "box-1", maxInstances: 3 });

    await plane.waitForTerminal(plane.enqueue(version.versionId, { text: "a" }).id, 20_000);

    expect(plane.registrations).toEqual([
      { runnerId: runner.runnerId, name: "box-1", hardware: ["cpu", "gpu-t4"], resources: { cpus: 2, memoryBytes: 4 * 1024 ** 3, gpus: [] }, maxInstances: 3 },
    ]);
    await eventually(() => plane.lastReport(runner.runnerId).some((i) => i.state === "ready" && i.readyAt !== null), 5_000, "ready instance reported");
    expect(plane.lastReport(runner.runnerId)[0]).toMatchObject({ versionId: version.versionId, concurrency: 1, running: [], failure: null });
  });

  test("boots up to a target, then stops idle instances above a lower one but lets a busy one finish first", async () => {
    const version = nodeVersion("echo");
    const { plane, runner } = await startRunner([version]);

    plane.setTarget(version.versionId, 2);
    await eventually(() => runner.instances().filter((i) => i.state === "ready").length === 2, 20_000, "two ready instances");
    const busy = plane.enqueue(version.versionId, { text: "slow", delay_ms: 1_500 });
    await plane.waitFor(busy.id, (p) => p.status === "processing");
    const busyInstance = runner.instances().find((i) => i.running.includes(busy.id));

    plane.setTarget(version.versionId, 0);
    await eventually(() => runner.instances().length === 1, 5_000, "the idle instance stopped");
    expect(runner.instances()[0]?.id).toBe(busyInstance?.id);
    expect((await plane.waitForTerminal(busy.id)).status).toBe("succeeded");
    await eventually(() => runner.instances().length === 0, 5_000, "the drained instance stopped");

    const events = plane.instanceEvents;
    expect(eventsOfType(events, "booting")).toHaveLength(2);
    expect(eventsOfType(events, "stopped")).toHaveLength(2);
    for (const ready of eventsOfType(events, "ready")) {
      if (ready.type !== "ready") continue;
      expect(ready.bootMs).toBeGreaterThan(0);
      expect(ready.setupMs).not.toBeNull();
      expect(ready.setupMs ?? Infinity).toBeLessThanOrEqual(ready.bootMs);
    }
  });

  test("registers again when the control plane has forgotten it", async () => {
    const version = nodeVersion("echo");
    const { plane, runner } = await startRunner([version]);
    await eventually(() => plane.registrations.length === 1, 5_000, "registered");

    plane.forget(runner.runnerId);

    await eventually(() => plane.registrations.length === 2, 5_000, "registered again");
    expect(plane.registrations[1]?.runnerId).toBe(runner.runnerId);
    expect((await plane.waitForTerminal(plane.enqueue(version.versionId, { text: "b" }).id, 20_000)).output).toBe("hello b");
  });

  test("runs several predictions at once on one instance when the version's concurrency allows it", async () => {
    const version = nodeVersion("echo", { concurrency: 3 });
    const { plane, runner } = await startRunner([version]);
    await plane.waitForTerminal(plane.enqueue(version.versionId, { text: "warm" }).id, 20_000);

    const ids = Array.from({ length: 3 }, (_, i) => plane.enqueue(version.versionId, { text: `c${i}`, delay_ms: 800 }).id);
    await eventually(() => runner.instances()[0]?.running.length === 3, 5_000, "three predictions on one instance");
    const done = await Promise.all(ids.map((id) => plane.waitForTerminal(id)));

    expect(done.map((p) => p.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
    expect(runner.instances()).toHaveLength(1);
  });
});

describe("instance events and timeline entries", () => {
  test("a prediction that waited for a cold boot says so in its started event; a warm one starts running at once", async () => {
    const version = nodeVersion("echo");
    const { plane, runner } = await startRunner([version]);

    const cold = await plane.waitForTerminal(plane.enqueue(version.versionId, { text: "cold" }).id, 20_000);
    const warm = await plane.waitForTerminal(plane.enqueue(version.versionId, { text: "warm" }).id, 20_000);

    const coldStart = plane.reports(cold.id).find((r) => r.event.type === "started" && r.applied)?.event;
    const warmStart = plane.reports(warm.id).find((r) => r.event.type === "started" && r.applied)?.event;
    expect(phasesOf(coldStart)).toEqual(["booting", "setup", "running"]);
    expect(phasesOf(warmStart)).toEqual(["running"]);
    const [instance] = runner.instances();
    const timeline = (coldStart as { timeline: TimelineEntry[] }).timeline;
    expect(timeline[0]).toMatchObject({ phase: "booting", reason: "cold boot", instance_id: instance?.id, runner_id: runner.runnerId });
    const times = timeline.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  test("a crash reports the instance event with the predictions it ran, and a replacement runs the next one", async () => {
    const crashing = nodeVersion("crash-in-predict");
    const { plane, runner } = await startRunner([crashing]);

    const failed = await plane.waitForTerminal(plane.enqueue(crashing.versionId, { text: "boom" }).id, 20_000);

    expect(failed.error).toMatch(/^The model instance stopped unexpectedly \(exit code 3, signal none\) while running this prediction/);
    await eventually(() => eventsOfType(plane.instanceEvents, "crashed").length === 1, 5_000, "crash reported");
    expect(eventsOfType(plane.instanceEvents, "crashed")[0]).toMatchObject({ versionId: crashing.versionId, running: [failed.id] });
    await eventually(() => runner.instances().some((i) => i.state === "ready"), 20_000, "replacement ready");
  });

  test("a setup failure is reported as an instance event with its reason", async () => {
    const version = nodeVersion("broken-setup");
    const { plane } = await startRunner([version]);

    await plane.waitForTerminal(plane.enqueue(version.versionId, { text: "x" }).id, 20_000);

    const [event] = eventsOfType(plane.instanceEvents, "setup_failed");
    expect(event).toMatchObject({ versionId: version.versionId });
    expect(event?.type === "setup_failed" ? event.error : "").toContain("weights file not found");
  });

  test("work an instance never started goes back to the queue with the reason when the instance dies", async () => {
    const version = rawVersion({ env: { RAW_PUT_DELAY_MS: "60000" } });
    const { plane, runner } = await startRunner([version]);
    const p = plane.enqueue(version.versionId, { text: "x" });
    await plane.waitFor(p.id, (x) => x.leaseOwner !== null);
    await eventually(() => runner.instances()[0]?.running.length === 1, 5_000, "dispatched");

    process.kill(runner.instances()[0]?.pid ?? 0, "SIGKILL");

    await eventually(() => plane.releaseLog.length > 0, 5_000, "released");
    expect(plane.releaseLog[0]?.predictionId).toBe(p.id);
    expect(plane.releaseLog[0]?.reason).toMatch(/^(The prediction could not be handed to a model instance|the model instance exited before the prediction started)/);
    expect(plane.reports(p.id)).toEqual([]);
  });
});
