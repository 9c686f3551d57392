// Canceling predictions (and who may), and waiting for a terminal state as `Prefer: wait` requests do.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunnerSignal, Version } from "@ferry/core";
import type { PredictionUpdate } from "../src/engine-types.js";
import { createEngineFixture } from "./support/engine-fixture.js";
import type { EngineFixture } from "./support/engine-fixture.js";

let fx: EngineFixture;
let signals: RunnerSignal[];
beforeEach(async () => {
  fx = await createEngineFixture();
  signals = [];
  fx.engine.controlPlane.subscribe((signal) => signals.push(signal));
});
afterEach(async () => fx.close());

const createOn = (version: Version, cancelAfterMs?: number) =>
  fx.engine.predictions.create(fx.user, {
    target: { kind: "version", ref: version.id },
    input: { prompt: "hi" },
    webhook: "https://example.com/hook",
    webhookEventsFilter: ["completed"],
    ...(cancelAfterMs !== undefined ? { cancelAfterMs } : {}),
  });

async function claimed(version: Version, runnerId = "runner-1"): Promise<string> {
  const assignment = await fx.engine.controlPlane.claim(runnerId, version.id);
  if (assignment === null) throw new Error("nothing to claim");
  return assignment.predictionId;
}

describe("canceling", () => {
  it("cancels a queued prediction without signalling any runner", async () => {
    const p = await createOn(fx.version);
    signals.length = 0;
    fx.clock.advance(2000);
    const canceled = await fx.engine.predictions.cancel(fx.user, p.id);
    expect(canceled).toMatchObject({ status: "canceled", completedAt: fx.clock.iso(), metrics: { total_time: 2 } });
    expect(signals).toEqual([]);
    expect(await fx.engine.controlPlane.claim("runner-1", fx.version.id)).toBeNull();
  });

  it("cancels a claimed, unstarted prediction and tells its runner", async () => {
    await createOn(fx.version);
    const id = await claimed(fx.version);
    signals.length = 0;
    expect((await fx.engine.predictions.cancel(fx.user, id)).status).toBe("canceled");
    expect(signals).toEqual([{ type: "cancel", predictionId: id }]);
  });

  it("cancels a processing prediction, tells its runner, and ignores the runner's later result", async () => {
    const updates: PredictionUpdate[] = [];
    await createOn(fx.version);
    const id = await claimed(fx.version);
    fx.engine.bus.subscribe(id, (u) => updates.push(u));
    await fx.engine.controlPlane.report("runner-1", id, { type: "started" });
    signals.length = 0;
    const canceled = await fx.engine.predictions.cancel(fx.user, id);
    expect(canceled).toMatchObject({ status: "canceled", leaseOwner: null });
    expect(signals).toEqual([{ type: "cancel", predictionId: id }]);
    expect(updates.at(-1)?.effects).toContainEqual({ type: "cancel_on_runner" });
    expect(await fx.engine.controlPlane.report("runner-1", id, { type: "succeeded", output: "x" })).toEqual({
      applied: false,
      status: "canceled",
    });
  });

  it("returns a terminal prediction unchanged", async () => {
    const p = await createOn(fx.version);
    const first = await fx.engine.predictions.cancel(fx.user, p.id);
    fx.clock.advance(5000);
    expect(await fx.engine.predictions.cancel(fx.user, p.id)).toEqual(first);
  });

  it("does not let anyone cancel, get or list another account's predictions", async () => {
    const p = await createOn(fx.version);
    await expect(fx.engine.predictions.cancel(fx.other, p.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(fx.engine.predictions.get(fx.other, p.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(fx.engine.predictions.get(fx.user, "b".repeat(26))).rejects.toMatchObject({ code: "not_found" });
    expect((await fx.engine.predictions.get(fx.user, p.id)).id).toBe(p.id);
    expect((await fx.engine.predictions.list(fx.other, { cursor: null })).items).toEqual([]);
    expect((await fx.engine.predictions.list(fx.user, { cursor: null })).items.map((x) => x.id)).toEqual([p.id]);
  });
});

describe("waiting for a terminal state", () => {
  it("returns at once when the prediction is already terminal", async () => {
    const p = await createOn(fx.version);
    await fx.engine.predictions.cancel(fx.user, p.id);
    const started = Date.now();
    const result = await fx.engine.predictions.waitForTerminal(p.id, 10_000);
    expect(result.status).toBe("canceled");
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("resolves with the terminal row when a runner finishes while it waits", async () => {
    await createOn(fx.version);
    const id = await claimed(fx.version);
    const waiting = fx.engine.predictions.waitForTerminal(id, 10_000);
    await fx.engine.controlPlane.report("runner-1", id, { type: "started" });
    await fx.engine.controlPlane.report("runner-1", id, { type: "succeeded", output: "done" });
    expect(await waiting).toMatchObject({ status: "succeeded", output: "done" });
  });

  it("returns the latest non-terminal row when the time runs out", async () => {
    await createOn(fx.version);
    const id = await claimed(fx.version);
    await fx.engine.controlPlane.report("runner-1", id, { type: "started" });
    const result = await fx.engine.predictions.waitForTerminal(id, 30);
    expect(result).toMatchObject({ id, status: "processing" });
  });

  it("returns the latest row when the caller aborts", async () => {
    const p = await createOn(fx.version);
    const controller = new AbortController();
    const waiting = fx.engine.predictions.waitForTerminal(p.id, 10_000, controller.signal);
    setTimeout(() => controller.abort(), 10);
    expect(await waiting).toMatchObject({ id: p.id, status: "starting" });
  });

  it("notices a terminal state written by another engine on the same database", async () => {
    const p = await createOn(fx.version);
    const { engine: other } = fx.sibling();
    const waiting = fx.engine.predictions.waitForTerminal(p.id, 5_000);
    await other.predictions.cancel(fx.user, p.id);
    expect(await waiting).toMatchObject({ status: "canceled" });
  });

  it("rejects with not_found for an unknown prediction", async () => {
    await expect(fx.engine.predictions.waitForTerminal("c".repeat(26), 50)).rejects.toMatchObject({ code: "not_found" });
  });
});
