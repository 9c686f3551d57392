// The instance's health and discovery endpoints over real HTTP: STARTING, READY, BUSY, SETUP_FAILED, DEFUNCT.
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineModel, serveModel, type HealthBody, type ModelServer } from "../src/index.js";
import { call, eventually, gate, serveReady } from "./support.js";

const servers: ModelServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const health = async (server: ModelServer) => (await call<HealthBody>(server, "GET", "/health-check")).body;

describe("health-check", () => {
  it("reports STARTING while setup runs, with setup logs, then READY", async () => {
    const setupGate = gate();
    const model = defineModel({
      input: z.object({}),
      output: z.string(),
      async setup(ctx) {
        ctx.log("loading weights");
        console.log("from console");
        await setupGate.promise;
      },
      predict: () => "ok",
    });
    const server = await serveModel(model, { port: 0, echoLogs: false });
    servers.push(server);
    const starting = await eventually(async () => {
      const body = await health(server);
      return body.setup?.logs.includes("from console") ? body : undefined;
    });
    expect(starting).toMatchObject({
      status: "STARTING",
      setup: { status: "starting", completed_at: null, logs: "loading weights\nfrom console\n" },
    });
    expect((await call(server, "POST", "/predictions", { input: {} })).status).toBe(503);

    setupGate.open();
    const ready = await eventually(async () => {
      const body = await health(server);
      return body.status === "READY" ? body : undefined;
    });
    expect(ready.setup).toMatchObject({ status: "succeeded" });
    expect(Date.parse(ready.setup!.completed_at!)).toBeGreaterThanOrEqual(Date.parse(ready.setup!.started_at));
  });

  it("reports SETUP_FAILED with the error in the setup logs and keeps serving health", async () => {
    const model = defineModel({
      input: z.object({}),
      output: z.string(),
      setup() {
        throw new Error("weights missing");
      },
      predict: () => "never",
    });
    const server = await serveReady(model, {}, "SETUP_FAILED");
    servers.push(server);
    const body = await health(server);
    expect(body.setup).toMatchObject({ status: "failed" });
    expect(body.setup!.logs).toContain("Error: weights missing");
    const refused = await call(server, "POST", "/predictions", { input: {} });
    expect(refused).toEqual({ status: 503, body: { error: "Setup failed", status: "failed" } });
  });

  it("fails setup that runs past its timeout", async () => {
    const model = defineModel({
      input: z.object({}),
      output: z.string(),
      setup: () => new Promise<void>(() => undefined),
      predict: () => "never",
    });
    const server = await serveReady(model, { setupTimeoutMs: 50 }, "SETUP_FAILED");
    servers.push(server);
    expect((await health(server)).setup!.logs).toContain("timed out after 50 ms");
  });

  it("reports BUSY while every slot is taken and READY again after", async () => {
    const hold = gate();
    const model = defineModel({
      input: z.object({}),
      output: z.string(),
      concurrency: 2,
      predict: async () => {
        await hold.promise;
        return "done";
      },
    });
    const server = await serveReady(model);
    servers.push(server);
    const async = { prefer: "respond-async" };
    expect((await call(server, "POST", "/predictions", { id: "a" }, async)).status).toBe(202);
    expect((await health(server)).status).toBe("READY");
    expect((await call(server, "POST", "/predictions", { id: "b" }, async)).status).toBe(202);
    expect((await health(server)).status).toBe("BUSY");
    hold.open();
    await eventually(async () => ((await health(server)).status === "READY" ? true : undefined));
  });

  it("reports DEFUNCT after a fatal error and refuses predictions", async () => {
    const server = await serveReady(defineModel({ input: z.object({}), output: z.string(), predict: () => "x" }));
    servers.push(server);
    server.markDefunct("worker crashed");
    expect(await health(server)).toMatchObject({ status: "DEFUNCT", error: "worker crashed" });
    expect((await call(server, "POST", "/predictions", {})).status).toBe(503);
  });

  it("serves the discovery document and the OpenAPI schema", async () => {
    const model = defineModel({ input: z.object({ text: z.string() }), output: z.string(), predict: (i) => i.text });
    const server = await serveReady(model);
    servers.push(server);
    const root = await call(server, "GET", "/");
    expect(root.body).toMatchObject({
      healthcheck_url: "/health-check",
      predictions_url: "/predictions",
      predictions_idempotent_url: "/predictions/{prediction_id}",
      predictions_cancel_url: "/predictions/{prediction_id}/cancel",
      shutdown_url: "/shutdown",
      openapi_url: "/openapi.json",
    });
    expect(root.body).not.toHaveProperty("trainings_url");
    const openapi = await call<{ components: { schemas: Record<string, unknown> } }>(server, "GET", "/openapi.json");
    expect(openapi.status).toBe(200);
    expect(openapi.body.components.schemas["Input"]).toMatchObject({ required: ["text"] });
    expect((await call(server, "GET", "/nope")).status).toBe(404);
    expect((await call(server, "DELETE", "/health-check")).status).toBe(405);
  });
});
