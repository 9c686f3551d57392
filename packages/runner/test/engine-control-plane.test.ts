// The runner against the real engine and a real SQLite store: what a user of the API sees is what the runner did.
import { describe, expect, test } from "vitest";
import type { PredictionEffect } from "@ferry/core";
import { fixturePath } from "./support/fixtures.js";
import { startEngineAndRunner } from "./support/engine-harness.js";

const nodeRuntime = (name: string, concurrency = 1) => ({ kind: "node" as const, entry: fixturePath(`${name}.ts`), concurrency });

describe("a runner on the real engine (SQLite)", () => {
  test("runs a prediction created through the engine to succeeded, with its logs and metrics stored", async () => {
    const h = await startEngineAndRunner();
    const version = await h.register("echo", nodeRuntime("echo"));

    const created = await h.engine.predictions.create(h.user, { target: { kind: "version", ref: version.id }, input: { text: "sqlite" } });
    const done = await h.engine.predictions.waitForTerminal(created.id, 20_000);

    expect(done).toMatchObject({ status: "succeeded", output: "hello sqlite", logs: "echoing sqlite\n", error: null });
    expect(done.metrics?.characters).toBe(6);
    expect(done.metrics?.predict_time).toBeGreaterThan(0);
    expect(await h.store.predictions.get(created.id)).toMatchObject({ status: "succeeded", leaseOwner: null });
  });

  test("starts and ends a prediction that finished within the instance's 202 in one write, with its start time set", async () => {
    const h = await startEngineAndRunner();
    const version = await h.register("quiet", nodeRuntime("quiet", 4));
    const target = { kind: "version" as const, ref: version.id };
    await h.engine.predictions.waitForTerminal((await h.engine.predictions.create(h.user, { target, input: { text: "warm" } })).id, 20_000);
    const statuses: string[] = [];

    const created = await h.engine.predictions.create(h.user, { target, input: { text: "quick" } });
    h.engine.bus.subscribe(created.id, (update) => statuses.push(update.prediction.status));
    const done = await h.engine.predictions.waitForTerminal(created.id, 20_000);

    expect(done).toMatchObject({ status: "succeeded", output: "hello quick", leaseOwner: null });
    expect(done.startedAt).not.toBeNull();
    expect(Date.parse(done.startedAt ?? "")).toBeLessThanOrEqual(Date.parse(done.completedAt ?? ""));
    expect(statuses).toEqual(["succeeded"]);
  });

  test("streams iterator chunks to the engine's bus in the order the model yielded them", async () => {
    const h = await startEngineAndRunner();
    const version = await h.register("counter", nodeRuntime("counter"));
    const created = await h.engine.predictions.create(h.user, { target: { kind: "version", ref: version.id }, input: { count: 5, gap_ms: 5 } });
    const streamed: unknown[] = [];
    h.engine.bus.subscribe(created.id, (update) => {
      for (const effect of update.effects as PredictionEffect[]) if (effect.type === "stream" && effect.event === "output") streamed.push(effect.data);
    });

    const done = await h.engine.predictions.waitForTerminal(created.id, 20_000);

    const chunks = ["chunk-1", "chunk-2", "chunk-3", "chunk-4", "chunk-5"];
    expect(done.status).toBe("succeeded");
    expect(done.output).toEqual(chunks);
    expect(streamed).toEqual(chunks);
  });

  test("cancels a running prediction when the API cancels it, and the instance takes the next one", async () => {
    const h = await startEngineAndRunner();
    const version = await h.register("echo", nodeRuntime("echo"));
    const target = { kind: "version" as const, ref: version.id };
    const slow = await h.engine.predictions.create(h.user, { target, input: { text: "slow", delay_ms: 60_000 } });
    for (let i = 0; i < 200 && (await h.store.predictions.get(slow.id))?.status !== "processing"; i++) await new Promise((r) => setTimeout(r, 50));

    await h.engine.predictions.cancel(h.user, slow.id);
    const next = await h.engine.predictions.create(h.user, { target, input: { text: "next" } });

    expect((await h.engine.predictions.waitForTerminal(next.id, 20_000)).status).toBe("succeeded");
    expect((await h.store.predictions.get(slow.id))?.status).toBe("canceled");
    expect(h.runner.instances()).toHaveLength(1);
  });

  test("re-queues through the engine when a hand-written Cog server answers 409, and runs both", async () => {
    const h = await startEngineAndRunner();
    const runtime = { kind: "command" as const, command: process.execPath, args: [fixturePath("raw-cog-server.mjs"), "--port", "{port}"], concurrency: 2 };
    const schema = {
      openapi: "3.0.2",
      components: { schemas: { Input: { type: "object", properties: { text: { type: "string" }, delay_ms: { type: "integer" } } }, Output: { type: "string" } } },
    };
    const version = await h.register("raw", runtime, schema);
    const target = { kind: "version" as const, ref: version.id };

    const first = await h.engine.predictions.create(h.user, { target, input: { text: "one", delay_ms: 500 } });
    const second = await h.engine.predictions.create(h.user, { target, input: { text: "two" } });
    const done = await Promise.all([first, second].map((p) => h.engine.predictions.waitForTerminal(p.id, 20_000)));

    expect(done.map((p) => [p.status, p.output])).toEqual([
      ["succeeded", "hello one"],
      ["succeeded", "hello two"],
    ]);
  });
});
