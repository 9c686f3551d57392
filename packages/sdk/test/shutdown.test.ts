// POST /shutdown drains in-flight predictions (and their webhooks) before the server closes; close() cancels.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineModel, serveModel, type PredictionSnapshot } from "../src/index.js";
import { call, gate, serveReady, startWebhookReceiver } from "./support.js";

const held = (hold: Promise<void>) =>
  defineModel({
    input: z.object({}),
    output: z.string(),
    predict: async (_input, ctx) => {
      await Promise.race([hold, new Promise((resolve) => ctx.signal.addEventListener("abort", resolve))]);
      return ctx.signal.aborted ? "aborted" : "finished";
    },
  });

describe("shutdown", () => {
  it("answers 200 {}, refuses new work, lets the running prediction finish, then closes", async () => {
    const hold = gate();
    const receiver = await startWebhookReceiver();
    const server = await serveReady(held(hold.promise));
    const running = call<PredictionSnapshot>(server, "POST", "/predictions", { id: "r1", webhook: receiver.url });
    await receiver.waitFor((d) => d.body.status === "processing");
    expect(await call(server, "POST", "/shutdown")).toEqual({ status: 200, body: {} });
    let closed = false;
    void server.closed.then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(closed).toBe(false);
    hold.open();
    expect((await running).body).toMatchObject({ status: "succeeded", output: "finished" });
    await server.closed;
    expect(receiver.deliveries.at(-1)!.body.status).toBe("succeeded");
    await expect(call(server, "GET", "/health-check")).rejects.toThrow();
    await receiver.close();
  });

  it("close() cancels in-flight predictions and resolves closed", async () => {
    const hold = gate();
    const server = await serveReady(held(hold.promise));
    const running = call<PredictionSnapshot>(server, "POST", "/predictions", { id: "r2" });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await server.close();
    await server.closed;
    expect((await running).body).toMatchObject({ status: "canceled" });
  });

  it("rejects when the port is taken", async () => {
    const first = await serveModel(held(Promise.resolve()), { port: 0, echoLogs: false });
    await expect(serveModel(held(Promise.resolve()), { port: first.port, echoLogs: false })).rejects.toThrow(/EADDRINUSE/);
    await first.close();
  });
});
