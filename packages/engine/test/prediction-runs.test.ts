// A prediction from create to terminal through the control plane, as a runner drives it: claims, reports
// from the lease holder only, and the bus and runner signals that follow each change.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Model, Prediction, RunnerSignal, Version } from "@ferry/core";
import type { PredictionUpdate } from "../src/engine-types.js";
import { createEngineFixture, ITERATOR_OUTPUT } from "./support/engine-fixture.js";
import type { EngineFixture } from "./support/engine-fixture.js";

let fx: EngineFixture;
let streaming: { model: Model; version: Version };
let signals: RunnerSignal[];
beforeEach(async () => {
  fx = await createEngineFixture();
  streaming = await fx.register({ name: "llm", output: ITERATOR_OUTPUT });
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

const row = async (id: string): Promise<Prediction> => (await fx.store.predictions.get(id))!;

describe("creating a prediction", () => {
  it("queues it as starting, counts the run, publishes it and wakes runners", async () => {
    const seen: PredictionUpdate[] = [];
    fx.engine.bus.subscribeAll((u) => seen.push(u));
    fx.clock.advance(1000);
    const p = await createOn(streaming.version, 30_000);
    expect(p).toMatchObject({
      status: "starting",
      source: "api",
      output: null,
      logs: "",
      error: null,
      createdAt: fx.clock.iso(),
      deadline: new Date(fx.clock.now().getTime() + 30_000).toISOString(),
      canStream: true,
      webhook: "https://example.com/hook",
      webhookEventsFilter: ["completed"],
      leaseOwner: null,
    });
    expect(p.id).toMatch(/^[a-z2-7]{26}$/);
    expect(seen).toEqual([{ prediction: p, effects: [] }]);
    expect(signals).toEqual([{ type: "work_queued", versionId: streaming.version.id }]);
    expect((await fx.store.models.get("alice", "llm"))?.runCount).toBe(1);
    const plain = await createOn(fx.version);
    expect(plain.canStream).toBe(false);
    expect(plain.deadline).toBeNull();
  });

  it("shows pending work to runners with the version's runtime", async () => {
    await createOn(streaming.version);
    await createOn(streaming.version);
    await createOn(fx.version);
    const work = await fx.engine.controlPlane.pendingWork();
    const byVersion = Object.fromEntries(work.map((w) => [w.version.versionId, w]));
    expect(byVersion[streaming.version.id]).toEqual({
      version: { versionId: streaming.version.id, model: "alice/llm", runtime: streaming.version.runtime, outputIsIterator: true, fileInputs: ["image"] },
      queued: 2,
    });
    expect(byVersion[fx.version.id]?.queued).toBe(1);
    expect(byVersion[fx.version.id]?.version.outputIsIterator).toBe(false);
  });
});

describe("running a prediction through the control plane", () => {
  it("hands the input to the runner that claims it", async () => {
    const p = await createOn(fx.version, 60_000);
    const assignment = await fx.engine.controlPlane.claim("runner-1", fx.version.id);
    expect(assignment).toEqual({ predictionId: p.id, versionId: fx.version.id, input: { prompt: "hi" }, deadline: p.deadline });
    expect(await fx.engine.controlPlane.claim("runner-2", fx.version.id)).toBeNull();
    expect((await row(p.id)).leaseOwner).toBe("runner-1");
  });

  it("builds the output array, logs and metrics from started, output, logs and succeeded reports", async () => {
    const p = await createOn(streaming.version);
    const updates: PredictionUpdate[] = [];
    fx.engine.bus.subscribe(p.id, (u) => updates.push(u));
    const id = await claimed(streaming.version);
    const cp = fx.engine.controlPlane;
    fx.clock.advance(500);
    expect(await cp.report("runner-1", id, { type: "started" })).toEqual({ applied: true, status: "processing" });
    fx.clock.advance(1000);
    await cp.report("runner-1", id, { type: "output", chunk: "Hello" });
    await cp.report("runner-1", id, { type: "logs", text: "generating\n" });
    await cp.report("runner-1", id, { type: "output", chunk: " world" });
    fx.clock.advance(1000);
    const done = await cp.report("runner-1", id, { type: "succeeded", metrics: { output_token_count: 2 } });
    expect(done).toEqual({ applied: true, status: "succeeded" });

    const final = await row(id);
    expect(final).toMatchObject({
      status: "succeeded",
      output: ["Hello", " world"],
      logs: "generating\n",
      error: null,
      startedAt: "2025-01-01T00:00:00.500Z",
      completedAt: "2025-01-01T00:00:02.500Z",
      metrics: { predict_time: 2, total_time: 2.5, output_token_count: 2 },
      leaseOwner: null,
      leaseExpiresAt: null,
    });
    expect(updates.map((u) => u.prediction.status)).toEqual(["processing", "processing", "processing", "processing", "succeeded"]);
    expect(updates.at(-1)?.prediction).toEqual(final);
    expect(updates[1]?.effects).toContainEqual({ type: "stream", event: "output", data: "Hello" });
  });

  it("starts and ends in one write a prediction whose lease holder reports its end before its start", async () => {
    const p = await fx.engine.predictions.create(fx.user, { target: { kind: "version", ref: fx.version.id }, input: { prompt: "hi" } });
    const updates: PredictionUpdate[] = [];
    fx.engine.bus.subscribe(p.id, (u) => updates.push(u));
    const id = await claimed(fx.version);
    fx.clock.advance(250);

    const done = await fx.engine.controlPlane.report("runner-1", id, { type: "succeeded", output: "quick", metrics: { predict_time: 0.01 } });

    expect(done).toEqual({ applied: true, status: "succeeded" });
    // started_at is the end minus the predict_time the instance measured.
    const startedAt = new Date(Date.parse(fx.clock.iso()) - 10).toISOString();
    expect(await row(id)).toMatchObject({ status: "succeeded", output: "quick", startedAt, completedAt: fx.clock.iso(), leaseOwner: null });
    expect((await row(id)).metrics).toMatchObject({ predict_time: 0.01, total_time: 0.25 });
    expect(updates.map((u) => u.prediction.status)).toEqual(["succeeded"]);
    expect(await fx.engine.controlPlane.report("runner-2", id, { type: "succeeded", output: "late" })).toEqual({ applied: false, status: "succeeded" });
  });

  it("wants the start reported first when the prediction has a webhook (its start event is a write of its own)", async () => {
    const p = await createOn(fx.version);
    const id = await claimed(fx.version);

    expect(await fx.engine.controlPlane.report("runner-1", id, { type: "succeeded", output: "x" })).toEqual({ applied: false, status: "starting" });
    expect(await fx.engine.controlPlane.report("runner-1", id, { type: "started" })).toEqual({ applied: true, status: "processing" });
    expect(await fx.engine.controlPlane.report("runner-1", id, { type: "succeeded", output: "x" })).toEqual({ applied: true, status: "succeeded" });
    expect((await row(p.id)).output).toBe("x");
  });

  it("stores the returned output of a non-iterator model", async () => {
    await createOn(fx.version);
    const id = await claimed(fx.version);
    await fx.engine.controlPlane.report("runner-1", id, { type: "started" });
    await fx.engine.controlPlane.report("runner-1", id, { type: "succeeded", output: "hello hi" });
    expect((await row(id)).output).toBe("hello hi");
  });

  it("applies reports sent all at once in the order they were sent", async () => {
    await createOn(streaming.version);
    const id = await claimed(streaming.version);
    const cp = fx.engine.controlPlane;
    const chunks = Array.from({ length: 25 }, (_, i) => `t${i}`);
    const results = await Promise.all([
      cp.report("runner-1", id, { type: "started" }),
      ...chunks.flatMap((chunk) => [
        cp.report("runner-1", id, { type: "output", chunk }),
        cp.report("runner-1", id, { type: "logs", text: `${chunk}\n` }),
      ]),
      cp.report("runner-1", id, { type: "succeeded" }),
    ]);
    expect(results.every((r) => r.applied)).toBe(true);
    const final = await row(id);
    expect(final.output).toEqual(chunks);
    expect(final.logs).toBe(chunks.map((c) => `${c}\n`).join(""));
    expect(final.status).toBe("succeeded");
  });

  it("fails a prediction with the reported error", async () => {
    await createOn(fx.version);
    const id = await claimed(fx.version);
    await fx.engine.controlPlane.report("runner-1", id, { type: "started" });
    await fx.engine.controlPlane.report("runner-1", id, { type: "failed", error: "boom" });
    expect(await row(id)).toMatchObject({ status: "failed", error: "boom" });
  });

  it("refuses reports from a runner that does not hold the lease", async () => {
    const p = await createOn(fx.version);
    expect(await fx.engine.controlPlane.report("runner-1", p.id, { type: "started" })).toEqual({ applied: false, status: "starting" });
    const id = await claimed(fx.version, "runner-1");
    expect(await fx.engine.controlPlane.report("runner-2", id, { type: "started" })).toEqual({ applied: false, status: "starting" });
    await fx.engine.controlPlane.report("runner-1", id, { type: "started" });
    expect(await fx.engine.controlPlane.report("runner-2", id, { type: "succeeded", output: "x" })).toEqual({
      applied: false,
      status: "processing",
    });
    expect(await row(id)).toMatchObject({ status: "processing", output: null });
  });

  it("rejects a report for an unknown prediction with not_found", async () => {
    await expect(fx.engine.controlPlane.report("runner-1", "a".repeat(26), { type: "started" })).rejects.toMatchObject({ code: "not_found" });
  });

  it("lets later reports bounce off a terminal prediction", async () => {
    await createOn(streaming.version);
    const id = await claimed(streaming.version);
    const cp = fx.engine.controlPlane;
    await cp.report("runner-1", id, { type: "started" });
    await cp.report("runner-1", id, { type: "output", chunk: "a" });
    await cp.report("runner-1", id, { type: "succeeded" });
    expect(await cp.report("runner-1", id, { type: "output", chunk: "late" })).toEqual({ applied: false, status: "succeeded" });
    expect(await cp.report("runner-1", id, { type: "failed", error: "late" })).toEqual({ applied: false, status: "succeeded" });
    expect(await row(id)).toMatchObject({ status: "succeeded", output: ["a"], error: null });
  });

  it("returns a released prediction to the queue and wakes runners", async () => {
    const p = await createOn(fx.version);
    await claimed(fx.version, "runner-1");
    signals.length = 0;
    await fx.engine.controlPlane.release("runner-1", p.id);
    expect(signals).toEqual([{ type: "work_queued", versionId: fx.version.id }]);
    expect(await claimed(fx.version, "runner-2")).toBe(p.id);
    expect(await fx.engine.controlPlane.report("runner-1", p.id, { type: "started" })).toEqual({ applied: false, status: "starting" });
    expect(await fx.engine.controlPlane.report("runner-2", p.id, { type: "started" })).toEqual({ applied: true, status: "processing" });
  });
});
