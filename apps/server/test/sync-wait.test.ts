// `Prefer: wait`: the create request is held until the prediction finishes or the wait runs out; a wait
// that runs out reports "starting" so the clients poll instead of taking partial output (spec §2.2).
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, TOKEN } from "./support/harness.js";
import type { Harness } from "./support/harness.js";
import { playRunner } from "./support/fake-runner.js";
import { STREAMER_SCHEMA, registerTestModel } from "./support/models.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe("Prefer: wait", () => {
  it("returns the finished prediction with its output and echoes the preference", async () => {
    const { version } = await registerTestModel(h.engine, { name: "instant" });
    const stop = playRunner(h.engine.controlPlane, async (report, input) => {
      await report({ type: "started" });
      await report({ type: "succeeded", output: `hello ${String(input.text)}`, metrics: { predict_time: 0.01 } });
    });
    try {
      for (const [prefer, applied] of [
        ["wait", "wait"],
        ["wait=120", "wait=60"],
        ["wait=5", "wait=5"],
      ] as const) {
        const res = await h.call({ method: "POST", url: "/v1/predictions", headers: { prefer }, payload: { version: version.id, input: { text: "Alice" } } });
        expect(res.statusCode).toBe(201);
        expect(res.headers["preference-applied"]).toBe(applied);
        expect(res.json()).toMatchObject({ status: "succeeded", output: "hello Alice", metrics: { predict_time: 0.01 } });
        expect(res.headers.location).toBe(res.json<{ urls: { get: string } }>().urls.get);
      }
    } finally {
      stop();
    }
  });

  it("waits on the model route too", async () => {
    await registerTestModel(h.engine, { name: "by-name" });
    const stop = playRunner(h.engine.controlPlane, async (report) => {
      await report({ type: "started" });
      await report({ type: "succeeded", output: "done" });
    });
    try {
      const res = await h.call({ method: "POST", url: "/v1/models/ferry/by-name/predictions", headers: { prefer: "wait=10" }, payload: { input: { text: "x" } } });
      expect(res.headers["preference-applied"]).toBe("wait=10");
      expect(res.json()).toMatchObject({ status: "succeeded", output: "done" });
    } finally {
      stop();
    }
  });

  it("reports a queued prediction as starting when the wait runs out", async () => {
    const { version } = await registerTestModel(h.engine, { name: "never-runs" });
    const started = Date.now();
    const res = await h.call({ method: "POST", url: "/v1/predictions", headers: { prefer: "wait=1" }, payload: { version: version.id, input: { text: "x" } } });
    const elapsed = Date.now() - started;
    expect(res.statusCode).toBe(201);
    expect(res.headers["preference-applied"]).toBe("wait=1");
    expect(res.json()).toMatchObject({ status: "starting", output: null });
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(5_000);
  });

  it("reports a processing prediction with partial output as starting when the wait runs out", async () => {
    const { version } = await registerTestModel(h.engine, { name: "slow-stream", schema: STREAMER_SCHEMA });
    const stop = playRunner(h.engine.controlPlane, async (report) => {
      await report({ type: "started" });
      await report({ type: "output", chunk: "partial" });
      // …and never finishes.
    });
    try {
      const res = await h.call({ method: "POST", url: "/v1/predictions", headers: { prefer: "wait=1" }, payload: { version: version.id, input: { text: "x" } } });
      expect(res.statusCode).toBe(201);
      const body = res.json<{ id: string; status: string }>();
      expect(body.status).toBe("starting");
      const stored = await h.call({ method: "GET", url: `/v1/predictions/${body.id}` });
      expect(stored.json()).toMatchObject({ status: "processing", output: ["partial"] });
    } finally {
      stop();
    }
  });

  it("ignores a malformed preference and answers at once", async () => {
    const { version } = await registerTestModel(h.engine, { name: "malformed-wait" });
    const started = Date.now();
    const res = await h.call({ method: "POST", url: "/v1/predictions", headers: { prefer: "wait=soon" }, payload: { version: version.id, input: { text: "x" } } });
    expect(Date.now() - started).toBeLessThan(900);
    expect(res.statusCode).toBe(201);
    expect(res.headers["preference-applied"]).toBeUndefined();
    expect(res.json()).toMatchObject({ status: "starting" });
  });

  it("releases waiting requests when the server closes", async () => {
    const closing = await startHarness();
    const { version } = await registerTestModel(closing.engine, { name: "held" });
    const started = Date.now();
    const pending = closing.call({ method: "POST", url: "/v1/predictions", headers: { prefer: "wait=60" }, payload: { version: version.id, input: { text: "x" } } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await closing.app.close();
    const res = await pending;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ status: "starting" });
    await closing.close();
  });

  it("ends the wait as soon as the client disconnects", async () => {
    const server = await startHarness();
    try {
      const { version } = await registerTestModel(server.engine, { name: "abandoned" });
      // Observe the real wait: record when it returns.
      const waitForTerminal = server.engine.predictions.waitForTerminal;
      let returnedAt = 0;
      server.engine.predictions.waitForTerminal = async (...args) => {
        const prediction = await waitForTerminal(...args);
        returnedAt = Date.now();
        return prediction;
      };
      await server.app.listen({ port: 0, host: "127.0.0.1" });
      const { port } = server.app.server.address() as { port: number };
      const req = request({
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/v1/predictions",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", prefer: "wait=60" },
      });
      req.on("error", () => {});
      req.end(JSON.stringify({ version: version.id, input: { text: "x" } }));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(returnedAt).toBe(0);
      const disconnectedAt = Date.now();
      req.destroy();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(returnedAt).toBeGreaterThanOrEqual(disconnectedAt);
      expect(returnedAt - disconnectedAt).toBeLessThan(250);
    } finally {
      await server.close();
    }
  });
});
