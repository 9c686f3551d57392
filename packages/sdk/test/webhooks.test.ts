// Webhooks reach a real local receiver in order, with whole snapshots, honouring the filter, throttle and retries.
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { setTimeout as sleep } from "node:timers/promises";
import { defineModel, outputs, type ModelServer } from "../src/index.js";
import { call, serveReady, startWebhookReceiver, type WebhookReceiver } from "./support.js";

const cleanup: (ModelServer | WebhookReceiver)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((thing) => thing.close()));
});

const counter = defineModel({
  input: z.object({ to: z.number().int().default(3), delay_ms: z.number().int().default(0) }),
  output: outputs.iterator(z.string()),
  async *predict(input, ctx) {
    for (let n = 1; n <= input.to; n++) {
      if (input.delay_ms > 0) await sleep(input.delay_ms, undefined, { signal: ctx.signal });
      ctx.log(`step ${n}`);
      yield String(n);
    }
  },
});

async function setup(options: Parameters<typeof serveReady>[1] = {}) {
  const receiver = await startWebhookReceiver();
  const server = await serveReady(counter, options);
  cleanup.push(server, receiver);
  return { receiver, server };
}

describe("webhooks", () => {
  it("sends start, output, logs and completed snapshots in order, ending with the terminal one", async () => {
    const { receiver, server } = await setup({ webhookAuthToken: "s3cret" });
    const created_at = "2026-01-01T00:00:00.000Z";
    const res = await call(server, "PUT", "/predictions/w1", { input: { to: 3, delay_ms: 30 }, webhook: receiver.url, created_at }, {
      prefer: "respond-async",
    });
    expect(res.status).toBe(202);
    const last = await receiver.waitFor((d) => d.body.status !== "processing");
    const bodies = receiver.deliveries.map((d) => d.body);
    expect(bodies.at(-1)).toBe(last.body);
    expect(bodies[0]).toMatchObject({ id: "w1", status: "processing", output: [], logs: "", created_at });
    expect(last.body).toMatchObject({
      id: "w1",
      status: "succeeded",
      input: { to: 3, delay_ms: 30 },
      output: ["1", "2", "3"],
      logs: "step 1\nstep 2\nstep 3\n",
      error: null,
      created_at,
    });
    expect(last.body.metrics["predict_time"]).toBeGreaterThan(0);
    expect(last.body.completed_at).not.toBeNull();
    // Snapshots only grow: output and logs never shrink from one delivery to the next.
    for (let i = 1; i < bodies.length; i++) {
      expect((bodies[i]!.output as string[]).length).toBeGreaterThanOrEqual((bodies[i - 1]!.output as string[]).length);
      expect(bodies[i]!.logs.startsWith(bodies[i - 1]!.logs)).toBe(true);
    }
    expect(bodies.filter((b) => b.status === "succeeded")).toHaveLength(1);
    // Unthrottled, each step is delivered: every output length 0..3 is seen.
    expect(new Set(bodies.map((b) => (b.output as string[]).length))).toEqual(new Set([0, 1, 2, 3]));
    expect(receiver.deliveries.every((d) => d.headers["authorization"] === "Bearer s3cret")).toBe(true);
    expect(receiver.deliveries[0]!.headers["content-type"]).toBe("application/json");
  });

  it("honours webhook_events_filter", async () => {
    const { receiver, server } = await setup();
    await call(server, "POST", "/predictions", {
      input: { to: 3, delay_ms: 5 },
      webhook: receiver.url,
      webhook_events_filter: ["completed"],
    });
    await receiver.waitFor((d) => d.body.status === "succeeded");
    await sleep(50);
    expect(receiver.deliveries.map((d) => d.body.status)).toEqual(["succeeded"]);
    expect(receiver.deliveries[0]!.headers["authorization"]).toBeUndefined();
  });

  it("throttles non-terminal webhooks but always delivers the terminal one", async () => {
    const { receiver, server } = await setup({ throttleIntervalMs: 500 });
    await call(server, "POST", "/predictions", { input: { to: 10, delay_ms: 20 }, webhook: receiver.url });
    const last = await receiver.waitFor((d) => d.body.status === "succeeded");
    expect(last.body.output).toEqual(["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]);
    const nonTerminal = receiver.deliveries.filter((d) => d.body.status === "processing");
    expect(nonTerminal.length).toBeGreaterThanOrEqual(1);
    expect(nonTerminal.length).toBeLessThanOrEqual(2);
  });

  it("retries the terminal webhook on 5xx until it is accepted", async () => {
    const { receiver, server } = await setup();
    let failures = 0;
    receiver.respond = () => (failures++ < 2 ? 503 : 200);
    await call(server, "POST", "/predictions", {
      input: { to: 1 },
      webhook: receiver.url,
      webhook_events_filter: ["completed"],
    });
    const last = await receiver.waitFor((d) => d.body.status === "succeeded", 5_000);
    expect(last.body.output).toEqual(["1"]);
    expect(failures).toBe(3);
  });

  it("sends the terminal webhook of a canceled prediction", async () => {
    const { receiver, server } = await setup();
    await call(server, "PUT", "/predictions/c1", { input: { to: 1000, delay_ms: 20 }, webhook: receiver.url }, {
      prefer: "respond-async",
    });
    await receiver.waitFor((d) => (d.body.output as string[]).length >= 2);
    expect((await call(server, "POST", "/predictions/c1/cancel")).status).toBe(200);
    const last = await receiver.waitFor((d) => d.body.status === "canceled");
    expect(receiver.deliveries.at(-1)).toBe(last);
    expect(last.body.error).toBeNull();
  });
});
