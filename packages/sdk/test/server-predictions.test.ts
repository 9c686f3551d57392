// Predictions over real HTTP: sync and async modes, failures, validation, busy slots, PUT idempotency, cancel.
import { afterEach, describe, expect, it } from "vitest";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { defineModel, outputs, type ModelServer, type PredictionSnapshot } from "../src/index.js";
import { call, eventually, gate, serveReady } from "./support.js";

const servers: ModelServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
const serve = async (...args: Parameters<typeof serveReady>) => {
  const server = await serveReady(...args);
  servers.push(server);
  return server;
};

const greeter = defineModel({
  input: z.object({ text: z.string().default("world"), times: z.number().int().min(1).max(3).default(1) }),
  output: z.string(),
  concurrency: 4,
  async predict(input, ctx) {
    ctx.recordMetric("characters", input.text.length);
    return `hello ${input.text}`.repeat(input.times);
  },
});

const ASYNC = { prefer: "respond-async" };

describe("POST /predictions", () => {
  it("answers a sync prediction with the terminal object, defaults applied and unknown keys stripped", async () => {
    const server = await serve(greeter);
    const res = await call<PredictionSnapshot>(server, "POST", "/predictions", { id: "p1", input: { extra: 1 } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: "p1",
      status: "succeeded",
      input: { text: "world", times: 1 },
      output: "hello world",
      error: null,
      logs: "",
    });
    expect(res.body.input).not.toHaveProperty("extra");
    expect(res.body.metrics["characters"]).toBe(5);
    expect(res.body.metrics["predict_time"]).toBeGreaterThanOrEqual(0);
    expect(Date.parse(res.body.completed_at!)).toBeGreaterThanOrEqual(Date.parse(res.body.started_at!));
  });

  it("treats a missing body as empty input and invents an id", async () => {
    const server = await serve(greeter);
    const res = await call<PredictionSnapshot>(server, "POST", "/predictions");
    expect(res.status).toBe(200);
    expect(res.body.output).toBe("hello world");
    expect(res.body.id).toMatch(/^pred_[0-9a-f]{32}$/);
  });

  it("answers 200 with status failed, the message as error and the stack in logs when predict throws", async () => {
    const model = defineModel({
      input: z.object({}),
      output: z.string(),
      predict: () => {
        throw new Error("out of bananas");
      },
    });
    const server = await serve(model);
    const res = await call<PredictionSnapshot>(server, "POST", "/predictions", {});
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "failed", error: "out of bananas", output: null });
    expect(res.body.logs).toContain("Error: out of bananas\n    at ");
    expect(res.body.metrics["predict_time"]).toBeTypeOf("number");
  });

  it("fails a prediction whose output does not match the declared type", async () => {
    const model = defineModel({ input: z.object({}), output: z.string(), predict: () => 7 as unknown as string });
    const res = await call<PredictionSnapshot>(await serve(model), "POST", "/predictions", {});
    expect(res.body.status).toBe("failed");
    expect(res.body.error).toMatch(/output does not match/);
  });

  it("answers 422 in FastAPI's shape for invalid input", async () => {
    const model = defineModel({
      input: z.object({ prompt: z.string(), steps: z.number().int().max(10).default(5) }),
      output: z.string(),
      predict: (input) => input.prompt,
    });
    const server = await serve(model);
    const res = await call(server, "POST", "/predictions", { input: { steps: 50 } });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      detail: [
        { loc: ["body", "input", "prompt"], msg: "Field required", type: "value_error.missing" },
        { loc: ["body", "input", "steps"], msg: expect.any(String) as string, type: "value_error.too_big" },
      ],
    });
    const wrongType = await call(server, "POST", "/predictions", { input: { prompt: 3 } });
    expect(wrongType.body).toEqual({
      detail: [{ loc: ["body", "input", "prompt"], msg: expect.any(String) as string, type: "type_error.string" }],
    });
    const badWebhook = await call(server, "POST", "/predictions", { input: { prompt: "x" }, webhook: "ftp://x" });
    expect(badWebhook.status).toBe(422);
    expect((badWebhook.body["detail"] as { loc: unknown[] }[])[0]!.loc).toEqual(["body", "webhook"]);
    const badJson = await fetch(`http://127.0.0.1:${server.port}/predictions`, { method: "POST", body: "{" });
    expect(badJson.status).toBe(422);
  });

  it("answers 202 at once for Prefer: respond-async and runs the prediction in the background", async () => {
    const hold = gate();
    const model = defineModel({
      input: z.object({}),
      output: z.string(),
      predict: async () => {
        await hold.promise;
        return "late";
      },
    });
    const server = await serve(model);
    const res = await call<PredictionSnapshot>(server, "POST", "/predictions", { id: "a1" }, ASYNC);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: "a1", status: "processing", output: null, logs: "" });
    expect(res.body.started_at).not.toBeNull();
    hold.open();
    await eventually(async () => ((await call(server, "GET", "/health-check")).body["status"] === "READY" ? true : undefined));
  });

  it("answers 409 when every slot is busy", async () => {
    const hold = gate();
    const model = defineModel({
      input: z.object({}),
      output: z.string(),
      predict: async () => {
        await hold.promise;
        return "x";
      },
    });
    const server = await serve(model);
    expect((await call(server, "POST", "/predictions", { id: "first" }, ASYNC)).status).toBe(202);
    const busy = await call(server, "POST", "/predictions", { id: "second" }, ASYNC);
    expect(busy).toEqual({ status: 409, body: { error: "At capacity - all prediction slots busy", status: "failed" } });
    hold.open();
  });
});

describe("PUT /predictions/{id}", () => {
  it("starts a prediction under the path id and answers 202 with current state while it is in flight", async () => {
    const hold = gate();
    const model = defineModel({
      input: z.object({ n: z.number() }),
      output: outputs.iterator(z.number()),
      async *predict(input) {
        yield input.n;
        await hold.promise;
      },
    });
    const server = await serve(model);
    const first = await call<PredictionSnapshot>(server, "PUT", "/predictions/put-1", { input: { n: 1 } }, ASYNC);
    expect(first.status).toBe(202);
    await sleep(20);
    const again = await call<PredictionSnapshot>(server, "PUT", "/predictions/put-1", { input: { n: 99 } }, ASYNC);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ id: "put-1", status: "processing", input: { n: 1 }, output: [1] });
    hold.open();
    await eventually(async () => ((await call(server, "GET", "/health-check")).body["status"] === "READY" ? true : undefined));
    // Once finished the id is forgotten: a new PUT starts a new run.
    const rerun = await call<PredictionSnapshot>(server, "PUT", "/predictions/put-1", { input: { n: 2 } });
    expect(rerun.body).toMatchObject({ status: "succeeded", output: [2] });
  });

  it("answers 422 when the body id differs from the path id", async () => {
    const server = await serve(greeter);
    const res = await call(server, "PUT", "/predictions/abc", { id: "xyz" });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ detail: [{ loc: ["body", "id"] }] });
  });
});
