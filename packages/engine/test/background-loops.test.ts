// The background sweeps: Cancel-After deadlines, expired runner leases, and recovery of predictions an
// earlier process left behind. Time comes from a fake clock; sweeps are called directly or run on short timers.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Prediction, RunnerSignal } from "@ferry/core";
import { SERVER_RESTARTED_ERROR } from "../src/index.js";
import { createEngineFixture, eventually } from "./support/engine-fixture.js";
import type { EngineFixture } from "./support/engine-fixture.js";

const LEASE_MS = 10_000;
let fx: EngineFixture;
let signals: RunnerSignal[];
beforeEach(async () => {
  fx = await createEngineFixture({ leaseMs: LEASE_MS });
  signals = [];
  fx.engine.controlPlane.subscribe((signal) => signals.push(signal));
});
afterEach(async () => fx.close());

const create = (cancelAfterMs?: number) =>
  fx.engine.predictions.create(fx.user, {
    target: { kind: "version", ref: fx.version.id },
    input: { prompt: "hi" },
    ...(cancelAfterMs !== undefined ? { cancelAfterMs } : {}),
  });
const row = async (id: string): Promise<Prediction> => (await fx.store.predictions.get(id))!;
const claim = async (runnerId = "runner-1") => (await fx.engine.controlPlane.claim(runnerId, fx.version.id))!.predictionId;

describe("Cancel-After deadlines", () => {
  it("aborts a prediction whose deadline passes before it starts", async () => {
    const p = await create(5_000);
    fx.clock.advance(4_999);
    expect(await fx.loops.sweepDeadlines()).toBe(0);
    fx.clock.advance(1);
    expect(await fx.loops.sweepDeadlines()).toBe(1);
    expect(await row(p.id)).toMatchObject({ status: "aborted", completedAt: fx.clock.iso() });
    expect(signals.filter((s) => s.type === "cancel")).toEqual([]);
  });

  it("aborts a claimed, unstarted prediction and tells the runner holding it", async () => {
    const p = await create(5_000);
    await claim();
    fx.clock.advance(6_000);
    await fx.loops.sweepDeadlines();
    expect((await row(p.id)).status).toBe("aborted");
    expect(signals).toContainEqual({ type: "cancel", predictionId: p.id });
  });

  it("cancels a running prediction whose deadline passes and tells its runner to stop", async () => {
    const p = await create(5_000);
    await claim();
    await fx.engine.controlPlane.report("runner-1", p.id, { type: "started" });
    fx.clock.advance(5_000);
    await fx.loops.sweepDeadlines();
    expect(await row(p.id)).toMatchObject({ status: "canceled", leaseOwner: null });
    expect(signals).toContainEqual({ type: "cancel", predictionId: p.id });
    expect(await fx.engine.controlPlane.report("runner-1", p.id, { type: "succeeded" })).toEqual({ applied: false, status: "canceled" });
  });

  it("leaves predictions without a deadline and finished ones alone", async () => {
    const plain = await create();
    const done = await create(5_000);
    await fx.engine.predictions.cancel(fx.user, done.id);
    fx.clock.advance(60_000);
    expect(await fx.loops.sweepDeadlines()).toBe(0);
    expect((await row(plain.id)).status).toBe("starting");
    expect((await row(done.id)).status).toBe("canceled");
  });

  it("runs on its timer once started, and stops with stop()", async () => {
    const { engine } = fx.sibling({ deadlineSweepMs: 5, leaseSweepMs: 60_000 });
    await engine.start();
    const p = await create(5_000);
    fx.clock.advance(5_000);
    await eventually(async () => (await row(p.id)).status === "aborted");
    await engine.stop();
    const later = await create(5_000);
    fx.clock.advance(5_000);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect((await row(later.id)).status).toBe("starting");
  });
});

describe("expired leases", () => {
  it("re-queues an unstarted prediction whose runner stopped renewing, and wakes runners", async () => {
    const p = await create();
    await claim("runner-1");
    fx.clock.advance(LEASE_MS - 1);
    expect(await fx.loops.sweepExpiredLeases()).toBe(0);
    fx.clock.advance(2);
    signals.length = 0;
    expect(await fx.loops.sweepExpiredLeases()).toBe(1);
    expect(await row(p.id)).toMatchObject({ status: "starting", leaseOwner: null, leaseExpiresAt: null });
    expect(signals).toEqual([{ type: "work_queued", versionId: fx.version.id }]);
    expect(await claim("runner-2")).toBe(p.id);
    expect(await fx.engine.controlPlane.report("runner-1", p.id, { type: "started" })).toEqual({ applied: false, status: "starting" });
  });

  it("fails a running prediction whose runner was lost", async () => {
    const p = await create();
    await claim();
    await fx.engine.controlPlane.report("runner-1", p.id, { type: "started" });
    fx.clock.advance(LEASE_MS + 1);
    expect(await fx.loops.sweepExpiredLeases()).toBe(1);
    expect(await row(p.id)).toMatchObject({ status: "failed", error: "The runner running this prediction was lost", leaseOwner: null });
  });

  it("keeps predictions whose leases were renewed", async () => {
    const p = await create();
    await claim();
    await fx.engine.controlPlane.report("runner-1", p.id, { type: "started" });
    fx.clock.advance(LEASE_MS - 1_000);
    await fx.engine.controlPlane.renewLeases("runner-1", [p.id]);
    fx.clock.advance(LEASE_MS - 1_000);
    expect(await fx.loops.sweepExpiredLeases()).toBe(0);
    expect((await row(p.id)).status).toBe("processing");
    expect(await fx.engine.controlPlane.report("runner-1", p.id, { type: "succeeded" })).toEqual({ applied: true, status: "succeeded" });
  });
});

describe("recovering orphans at start", () => {
  it("re-queues unstarted work, fails running work, and leaves queued work alone", async () => {
    const queued = await create();
    const claimedOnly = await create();
    const running = await create();
    const finished = await create();
    // Claims take the oldest first: skip `queued` by claiming all and releasing it.
    const ids = [await claim(), await claim(), await claim(), await claim()];
    expect(ids).toEqual([queued.id, claimedOnly.id, running.id, finished.id]);
    await fx.engine.controlPlane.release("runner-1", queued.id);
    await fx.engine.controlPlane.report("runner-1", running.id, { type: "started" });
    await fx.engine.controlPlane.report("runner-1", finished.id, { type: "started" });
    await fx.engine.controlPlane.report("runner-1", finished.id, { type: "succeeded", output: "ok" });

    const restarted = fx.sibling({ recoverOrphansOnStart: true, deadlineSweepMs: 60_000, leaseSweepMs: 60_000 });
    const wakeUps: RunnerSignal[] = [];
    restarted.engine.controlPlane.subscribe((s) => wakeUps.push(s));
    await restarted.engine.start();

    expect(await row(queued.id)).toMatchObject({ status: "starting", leaseOwner: null });
    expect(await row(claimedOnly.id)).toMatchObject({ status: "starting", leaseOwner: null });
    expect(await row(running.id)).toMatchObject({ status: "failed", error: SERVER_RESTARTED_ERROR, leaseOwner: null });
    expect(await row(finished.id)).toMatchObject({ status: "succeeded", output: "ok" });
    expect(wakeUps).toEqual([{ type: "work_queued", versionId: fx.version.id }]);
    expect(await restarted.engine.controlPlane.claim("runner-new", fx.version.id)).toMatchObject({ predictionId: queued.id });
    expect(await restarted.engine.controlPlane.claim("runner-new", fx.version.id)).toMatchObject({ predictionId: claimedOnly.id });
  });

  it("does nothing at start unless asked to", async () => {
    const p = await create();
    await claim();
    await fx.engine.start();
    expect((await row(p.id)).leaseOwner).toBe("runner-1");
  });
});
