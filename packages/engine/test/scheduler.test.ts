// The scheduler behind the control plane, on a real store and a fake clock: heartbeats return targets that follow
// the queue from zero to N and back to zero, official minimums, hardware placement, lost runners, retries with
// their limit, crash loops and crashed instances, and the timeline each prediction records.
import { afterEach, describe, expect, it } from "vitest";
import type { InstanceReport, Prediction, RunnerRegistration, RunnerSignal } from "@ferry/core";
import type { EngineOptions } from "../src/engine-types.js";
import { MAX_ATTEMPTS } from "../src/scheduler/retries.js";
import { createEngineFixture, eventually } from "./support/engine-fixture.js";
import type { EngineFixture } from "./support/engine-fixture.js";

const IDLE_MS = 60_000;
const LOST_MS = 15_000;
let fx: EngineFixture;
let signals: RunnerSignal[];

async function setup(options: EngineOptions = {}): Promise<EngineFixture> {
  fx = await createEngineFixture({ instanceIdleMs: IDLE_MS, runnerLostMs: LOST_MS, schedulerSweepMs: 60_000, ...options });
  signals = [];
  fx.engine.controlPlane.subscribe((signal) => signals.push(signal));
  await fx.engine.start();
  return fx;
}
afterEach(async () => fx.close());

function registration(runnerId: string, overrides: Partial<RunnerRegistration> = {}): RunnerRegistration {
  return { runnerId, name: runnerId, hardware: ["cpu"], resources: { cpus: 4, memoryBytes: 8 * 1024 ** 3, gpus: [] }, maxInstances: 4, ...overrides };
}
function instance(id: string, versionId: string, overrides: Partial<InstanceReport> = {}): InstanceReport {
  return { id, versionId, state: "ready", concurrency: 1, running: [], startedAt: fx.clock.iso(), readyAt: fx.clock.iso(), idleSince: fx.clock.iso(), failure: null, ...overrides };
}
const create = (versionId = fx.version.id) => fx.engine.predictions.create(fx.user, { target: { kind: "version", ref: versionId }, input: { prompt: "hi" } });
const row = async (id: string): Promise<Prediction> => (await fx.store.predictions.get(id))!;
const targetsOf = async (runnerId: string, instances: InstanceReport[] = []) => {
  const reply = await fx.engine.controlPlane.heartbeat(runnerId, instances);
  return Object.fromEntries(reply.targets.map((t) => [t.versionId, t.instances]));
};

describe("autoscaling through heartbeats", () => {
  it("scales a version from zero to its queue and back to zero after the idle window", async () => {
    await setup();
    const cp = fx.engine.controlPlane;
    await cp.registerRunner(registration("r1"));
    expect(await targetsOf("r1")).toEqual({});

    const made = [await create(), await create(), await create()];
    // Work for a version no runner holds: a new plan, and runners are told at once (no waiting for a heartbeat).
    await eventually(() => signals.some((s) => s.type === "plan_changed"));
    expect(await targetsOf("r1")).toEqual({ [fx.version.id]: 3 });

    // The runner boots three instances, runs the work and reports them idle.
    for (const p of made) {
      const a = await cp.claim("r1", fx.version.id);
      await cp.report("r1", a!.predictionId, { type: "started" });
      await cp.report("r1", p.id, { type: "succeeded", output: "ok" });
    }
    const idle = [instance("i1", fx.version.id), instance("i2", fx.version.id), instance("i3", fx.version.id)];
    fx.clock.advance(IDLE_MS - 1_000);
    expect(await targetsOf("r1", idle)).toEqual({ [fx.version.id]: 3 });
    // A plan is reused for up to a second, so scale-down lags the idle window by at most that.
    fx.clock.advance(1_000);
    expect(await targetsOf("r1", idle)).toEqual({});
  });

  it("counts concurrency: one instance per `concurrency` predictions", async () => {
    await setup();
    const { version } = await fx.register({ version: { id: "c".repeat(64), openapiSchema: fx.version.openapiSchema, runtime: { kind: "node", entry: "m.ts", concurrency: 4 }, cogVersion: null } });
    await fx.engine.controlPlane.registerRunner(registration("r1"));
    for (let i = 0; i < 5; i += 1) await create(version.id);
    expect(await targetsOf("r1")).toEqual({ [version.id]: 2 });
  });

  it("clamps on-demand use to the instance cap and keeps official models warm", async () => {
    await setup({ onDemandMaxInstances: 2, officialMinInstances: 1 });
    const { version: official } = await fx.register({ name: "official", isOfficial: true });
    await fx.engine.controlPlane.registerRunner(registration("r1"));
    for (let i = 0; i < 5; i += 1) await create();
    expect(await targetsOf("r1")).toEqual({ [fx.version.id]: 2, [official.id]: 1 });
  });

  it("places work only on runners with the model's hardware, within their capacity", async () => {
    await setup();
    const { version: gpu } = await fx.register({ name: "gpu-model", hardware: "gpu-t4" });
    const cp = fx.engine.controlPlane;
    await cp.registerRunner(registration("cpu-box", { maxInstances: 1 }));
    await cp.registerRunner(registration("gpu-box", { hardware: ["gpu-t4"], maxInstances: 1 }));
    await create(gpu.id);
    await create();
    await create();
    expect(await targetsOf("gpu-box")).toEqual({ [gpu.id]: 1 });
    expect(await targetsOf("cpu-box")).toEqual({ [fx.version.id]: 1 });
  });

  it("answers known: false to a runner it never registered", async () => {
    await setup();
    expect(await fx.engine.controlPlane.heartbeat("stranger", [])).toEqual({ known: false, targets: [] });
  });
});

describe("lost runners", () => {
  it("re-queues a lost runner's unstarted work as a retry and fails its running work with runner lost", async () => {
    await setup();
    const cp = fx.engine.controlPlane;
    await cp.registerRunner(registration("r1"));
    const waiting = await create();
    const running = await create();
    await cp.claim("r1", fx.version.id);
    await cp.claim("r1", fx.version.id);
    await cp.report("r1", running.id, { type: "started" });

    fx.clock.advance(LOST_MS);
    expect(await fx.engine.scheduler.sweepLostRunners()).toBe(0);
    fx.clock.advance(1);
    expect(await fx.engine.scheduler.sweepLostRunners()).toBe(1);

    expect(await row(running.id)).toMatchObject({ status: "failed", error: expect.stringMatching(/runner .*lost/) });
    expect((await row(running.id)).timeline?.at(-1)).toMatchObject({ phase: "failed" });
    const requeued = await row(waiting.id);
    expect(requeued).toMatchObject({ status: "starting", leaseOwner: null, attempt: 2 });
    expect(requeued.timeline?.at(-1)).toMatchObject({ phase: "retrying", reason: "runner lost", attempt: 2, runner_id: "r1" });
    expect(await cp.heartbeat("r1", [])).toEqual({ known: false, targets: [] });
    // Another runner takes the re-queued work.
    expect((await cp.claim("r2", fx.version.id))?.predictionId).toBe(waiting.id);
  });
});

describe("retries", () => {
  it("retries a platform failure before the model began, up to the attempt limit, then fails with the reason", async () => {
    await setup();
    const cp = fx.engine.controlPlane;
    const p = await create();
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt += 1) {
      await cp.claim("r1", fx.version.id);
      await cp.release("r1", p.id, "dispatch failed");
      expect(await row(p.id)).toMatchObject({ status: "starting", attempt: attempt + 1, leaseOwner: null });
    }
    await cp.claim("r1", fx.version.id);
    await cp.release("r1", p.id, "dispatch failed");
    const failed = await row(p.id);
    expect(failed).toMatchObject({ status: "failed", error: expect.stringContaining("dispatch failed") });
    expect(failed.timeline?.map((e) => [e.phase, e.attempt])).toEqual([
      ["queued", 1],
      ["retrying", 2],
      ["retrying", 3],
      ["failed", 3],
    ]);
  });

  it("retries a platform failure on another runner, where the prediction then succeeds", async () => {
    await setup();
    const cp = fx.engine.controlPlane;
    const p = await create();
    await cp.claim("r1", fx.version.id);
    await cp.release("r1", p.id, "the instance went away before dispatch");
    const retried = await cp.claim("r2", fx.version.id);
    expect(retried?.predictionId).toBe(p.id);
    await cp.report("r2", p.id, { type: "started" });
    await cp.report("r2", p.id, { type: "succeeded", output: "done" });
    const ended = await row(p.id);
    expect(ended).toMatchObject({ status: "succeeded", output: "done", attempt: 2 });
    const retrying = ended.timeline?.find((e) => e.phase === "retrying");
    expect(retrying).toMatchObject({ attempt: 2, reason: expect.stringContaining("went away") as unknown });
    expect(ended.timeline?.at(-1)?.phase).toBe("succeeded");
  });

  it("never retries a model's own error", async () => {
    await setup();
    const cp = fx.engine.controlPlane;
    const p = await create();
    await cp.claim("r1", fx.version.id);
    await cp.report("r1", p.id, { type: "started" });
    await cp.report("r1", p.id, { type: "failed", error: "ValueError: bad prompt" });
    await cp.release("r1", p.id, "too late");
    expect(await row(p.id)).toMatchObject({ status: "failed", error: "ValueError: bad prompt", attempt: 1 });
  });

  it("releases without a reason as before: back to the queue, same attempt", async () => {
    await setup();
    const p = await create();
    await fx.engine.controlPlane.claim("r1", fx.version.id);
    await fx.engine.controlPlane.release("r1", p.id);
    expect(await row(p.id)).toMatchObject({ status: "starting", attempt: 1, leaseOwner: null });
  });
});

describe("crash loops and crashes", () => {
  const failSetup = (n: number) => fx.engine.controlPlane.instanceEvent("r1", { type: "setup_failed", instanceId: `i${n}`, versionId: fx.version.id, at: fx.clock.iso(), error: "ImportError: no torch" });

  it("marks a version unhealthy after repeated setup failures: queued and new work fail fast until an instance is ready", async () => {
    await setup({ crashLoop: { failures: 3, windowMs: 60_000, coolDownMs: 30_000 } });
    const queued = [await create(), await create()];
    await failSetup(1);
    await failSetup(2);
    expect(await row(queued[0]!.id)).toMatchObject({ status: "starting" });
    await failSetup(3);
    for (const p of queued) expect(await row(p.id)).toMatchObject({ status: "failed", error: expect.stringContaining("ImportError: no torch") });
    expect(fx.engine.scheduler.unhealthy(fx.version.id)).toMatchObject({ reason: "ImportError: no torch" });

    const fast = await create();
    expect(fast).toMatchObject({ status: "failed", error: expect.stringContaining("unhealthy") });

    await fx.engine.controlPlane.instanceEvent("r1", { type: "ready", instanceId: "i4", versionId: fx.version.id, at: fx.clock.iso(), bootMs: 10, setupMs: 5 });
    expect(fx.engine.scheduler.unhealthy(fx.version.id)).toBeNull();
    expect(await create()).toMatchObject({ status: "starting" });
  });

  it("recovers after the cool-down, and failures spread beyond the window do not count", async () => {
    await setup({ crashLoop: { failures: 3, windowMs: 60_000, coolDownMs: 30_000 } });
    await failSetup(1);
    await failSetup(2);
    fx.clock.advance(60_000);
    await failSetup(3);
    expect(fx.engine.scheduler.unhealthy(fx.version.id)).toBeNull();
    await failSetup(4);
    await failSetup(5);
    expect(fx.engine.scheduler.unhealthy(fx.version.id)).not.toBeNull();
    fx.clock.advance(30_000);
    expect(fx.engine.scheduler.unhealthy(fx.version.id)).toBeNull();
  });

  it("fails the predictions a crashed instance was running with a clear error", async () => {
    await setup();
    const cp = fx.engine.controlPlane;
    const p = await create();
    await cp.claim("r1", fx.version.id);
    await cp.report("r1", p.id, { type: "started" });
    await cp.instanceEvent("r1", { type: "crashed", instanceId: "i1", versionId: fx.version.id, at: fx.clock.iso(), error: "exit code 137 (SIGKILL)", running: [p.id] });
    expect(await row(p.id)).toMatchObject({ status: "failed", error: expect.stringMatching(/crashed.*exit code 137/) });
  });

  it("counts cold boots by model", async () => {
    await setup();
    await fx.engine.controlPlane.instanceEvent("r1", { type: "booting", instanceId: "i1", versionId: fx.version.id, at: fx.clock.iso() });
    await fx.engine.controlPlane.instanceEvent("r1", { type: "booting", instanceId: "i2", versionId: fx.version.id, at: fx.clock.iso() });
    expect((await fx.engine.scheduler.snapshot()).coldBoots).toEqual([{ model: `${fx.model.owner}/${fx.model.name}`, deployment: "", count: 2 }]);
  });
});

describe("timeline", () => {
  it("records waiting_for_capacity when the work could not be placed while it was queued", async () => {
    await setup();
    const cp = fx.engine.controlPlane;
    const { version: other } = await fx.register({ name: "other" });
    await cp.registerRunner(registration("r1", { maxInstances: 1 }));
    const busyElsewhere = [instance("i1", other.id, { state: "busy", running: ["p-other"], idleSince: null })];
    expect(await targetsOf("r1", busyElsewhere)).toEqual({ [other.id]: 1 });

    const p = await create();
    fx.clock.advance(1_000);
    expect(await targetsOf("r1", busyElsewhere)).toEqual({ [other.id]: 1 });
    const waitedFrom = fx.clock.iso();
    // The other model's instance ends and goes idle past the window: the slot goes to the waiting work.
    fx.clock.advance(IDLE_MS + 1_000);
    expect(await targetsOf("r1", [instance("i1", other.id, { idleSince: new Date(fx.clock.now().getTime() - IDLE_MS).toISOString() })])).toEqual({
      [fx.version.id]: 1,
    });
    await cp.claim("r1", fx.version.id);
    fx.clock.advance(500);
    await cp.report("r1", p.id, { type: "started" });
    const started = await row(p.id);
    expect(started.timeline?.map((e) => e.phase)).toEqual(["queued", "waiting_for_capacity", "running"]);
    expect(started.timeline?.[1]).toEqual({ phase: "waiting_for_capacity", at: waitedFrom, reason: "every runner with cpu hardware is full" });
  });


  it("records queued at creation, the runner's entries with its events, running and the end, in time order", async () => {
    await setup();
    const cp = fx.engine.controlPlane;
    const p = await create();
    expect(p.timeline).toEqual([{ phase: "queued", at: fx.clock.iso(), attempt: 1 }]);
    await cp.claim("r1", fx.version.id);
    fx.clock.advance(100);
    const booting = fx.clock.iso();
    fx.clock.advance(400);
    await cp.report("r1", p.id, {
      type: "started",
      timeline: [
        { phase: "booting", at: booting, instance_id: "i1", reason: "cold boot" },
        { phase: "setup", at: fx.clock.iso(), instance_id: "i1" },
      ],
    });
    fx.clock.advance(50);
    await cp.report("r1", p.id, { type: "succeeded", output: "ok" });
    const done = await row(p.id);
    expect(done.timeline?.map((e) => e.phase)).toEqual(["queued", "booting", "setup", "running", "succeeded"]);
    expect(done.timeline?.find((e) => e.phase === "running")).toMatchObject({ runner_id: "r1", attempt: 1 });
  });
});
