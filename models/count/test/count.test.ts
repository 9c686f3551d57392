// ferry/count served by the real SDK server: streams numbers with logs, fails on fail_at, stops at once on cancel.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { openapiSchema, type PredictionSnapshot } from "@ferry/sdk";
import { serveDuringTests } from "@ferry/model-kit/testing";
import model from "../src/predict.js";

const served = serveDuringTests(model, { throttleIntervalMs: 0, concurrency: 4, readyWithinMs: 5_000, requestTimeoutMs: 10_000 });

describe("ferry/count", () => {
  it("counts to `to`, one output item and one log line per step", async () => {
    const res = await served.request("POST", "/predictions", { input: { to: 4, delay_ms: 1 } });
    expect(res.body).toMatchObject({
      status: "succeeded",
      output: ["1", "2", "3", "4"],
      logs: "counted 1\ncounted 2\ncounted 3\ncounted 4\n",
    });
  });

  it("uses the defaults: to 5, 100 ms apart", async () => {
    const started = Date.now();
    const res = await served.request("POST", "/predictions", {});
    expect(res.body.output).toEqual(["1", "2", "3", "4", "5"]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
  });

  it("fails with Reached fail_at=N after streaming the steps before it", async () => {
    const res = await served.request("POST", "/predictions", { input: { to: 10, delay_ms: 0, fail_at: 3 } });
    expect(res.body).toMatchObject({ status: "failed", error: "Reached fail_at=3", output: ["1", "2"] });
    expect(res.body.logs).toContain("counted 2\nError: Reached fail_at=3");
  });

  it("stops at once when canceled mid-sleep", async () => {
    const running = served.request("POST", "/predictions", { id: "long", input: { to: 3, delay_ms: 60_000 } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    expect((await served.request("POST", "/predictions/long/cancel")).status).toBe(200);
    const res = await running;
    expect(res.body).toMatchObject({ status: "canceled", output: [] });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("streams each step to a webhook as it happens", async () => {
    const seen: PredictionSnapshot[] = [];
    const receiver = createServer((req, res) => {
      let text = "";
      req.on("data", (chunk: Buffer) => (text += chunk.toString()));
      req.on("end", () => {
        seen.push(JSON.parse(text) as PredictionSnapshot);
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const webhook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
    await served.request("POST", "/predictions", { input: { to: 3, delay_ms: 20 }, webhook, webhook_events_filter: ["output", "completed"] });
    const deadline = Date.now() + 5_000;
    while (seen.at(-1)?.status !== "succeeded" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    receiver.closeAllConnections();
    receiver.close();
    expect(seen.at(-1)).toMatchObject({ status: "succeeded", output: ["1", "2", "3"] });
    // Each step arrives on its own as it happens (superseded snapshots may be dropped only under heavy load).
    const steps = seen.slice(0, -1).map((s) => (s.output as string[]).join(","));
    expect(steps.length).toBeGreaterThanOrEqual(2);
    expect(["1", "1,2", "1,2,3"]).toEqual(expect.arrayContaining(steps));
    expect(steps).toEqual([...steps].sort());
  });

  it("rejects out-of-range input with a 422 naming the field", async () => {
    const res = await fetch(`http://127.0.0.1:${served.server.port}/predictions`, {
      method: "POST",
      body: JSON.stringify({ input: { to: 0 } }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ detail: [{ loc: ["body", "input", "to"] }] });
  });

  it("describes its inputs with bounds and an iterator output", () => {
    const schemas = (openapiSchema(model) as { components: { schemas: Record<string, unknown> } }).components.schemas;
    expect(schemas["Input"]).toEqual({
      type: "object",
      title: "Input",
      properties: {
        to: { type: "integer", title: "To", description: "Count up to this number", default: 5, minimum: 1, maximum: 10000, "x-order": 0 },
        delay_ms: {
          type: "integer",
          title: "Delay Ms",
          description: "Milliseconds to wait before each step",
          default: 100,
          minimum: 0,
          maximum: 60000,
          "x-order": 1,
        },
        fail_at: {
          type: "integer",
          title: "Fail At",
          description: "Raise an error on reaching this number",
          nullable: true,
          "x-order": 2,
        },
      },
    });
    expect(schemas["Output"]).toEqual({ title: "Output", type: "array", items: { type: "string" }, "x-cog-array-type": "iterator" });
  });
});
