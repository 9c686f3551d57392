// Cancel over real HTTP: a running iterator stops being pulled, ctx.signal aborts, hung-up sync clients cancel.
import { afterEach, describe, expect, it } from "vitest";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { defineModel, outputs, type ModelServer, type PredictionSnapshot } from "../src/index.js";
import { call, eventually, serveReady } from "./support.js";

const servers: ModelServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
const serve = async (...args: Parameters<typeof serveReady>) => {
  const server = await serveReady(...args);
  servers.push(server);
  return server;
};
const ASYNC = { prefer: "respond-async" };

describe("POST /predictions/{id}/cancel", () => {
  it("cancels a running iterator: it stops being pulled and the prediction ends canceled", async () => {
    let pulled = 0;
    let cleanedUp = false;
    const model = defineModel({
      input: z.object({}),
      output: outputs.iterator(z.string()),
      async *predict(_input, ctx) {
        try {
          for (;;) {
            pulled++;
            yield String(pulled);
            await sleep(5, undefined, { signal: ctx.signal }).catch(() => undefined);
          }
        } finally {
          cleanedUp = true;
        }
      },
    });
    const server = await serve(model);
    const sync = call<PredictionSnapshot>(server, "POST", "/predictions", { id: "c1" });
    await eventually(() => (pulled >= 3 ? true : undefined));
    expect(await call(server, "POST", "/predictions/c1/cancel")).toEqual({ status: 200, body: {} });
    const final = (await sync).body;
    expect(final.status).toBe("canceled");
    expect(final.error).toBeNull();
    expect((final.output as string[]).length).toBeGreaterThanOrEqual(3);
    expect(cleanedUp).toBe(true);
    const pulledAtEnd = pulled;
    await sleep(30);
    expect(pulled).toBe(pulledAtEnd);
    expect(await call(server, "POST", "/predictions/c1/cancel")).toEqual({ status: 404, body: {} });
  });

  it("cancels a sync prediction whose client hangs up, freeing the slot", async () => {
    let sawAbort = false;
    const model = defineModel({
      input: z.object({}),
      output: z.string(),
      predict: (_input, ctx) =>
        new Promise<string>((_resolve, reject) => {
          ctx.signal.addEventListener("abort", () => {
            sawAbort = true;
            reject(new Error("aborted"));
          });
        }),
    });
    const server = await serve(model);
    const client = new AbortController();
    const pending = fetch(`http://127.0.0.1:${server.port}/predictions`, {
      method: "POST",
      body: "{}",
      signal: client.signal,
    }).catch(() => "hung up");
    await eventually(async () => ((await call(server, "GET", "/health-check")).body["status"] === "BUSY" ? true : undefined));
    client.abort();
    expect(await pending).toBe("hung up");
    await eventually(async () => ((await call(server, "GET", "/health-check")).body["status"] === "READY" ? true : undefined));
    expect(sawAbort).toBe(true);
  });

  it("aborts ctx.signal for a plain predict and answers 404 for unknown ids", async () => {
    const model = defineModel({
      input: z.object({}),
      output: z.string(),
      predict: (_input, ctx) =>
        new Promise<string>((_resolve, reject) => {
          ctx.signal.addEventListener("abort", () => reject(new Error("aborted by signal")));
        }),
    });
    const server = await serve(model);
    expect((await call(server, "POST", "/predictions", { id: "s1" }, ASYNC)).status).toBe(202);
    expect((await call(server, "POST", "/predictions/s1/cancel")).status).toBe(200);
    await eventually(async () => ((await call(server, "GET", "/health-check")).body["status"] === "READY" ? true : undefined));
    expect(await call(server, "POST", "/predictions/unknown/cancel")).toEqual({ status: 404, body: {} });
  });
});
