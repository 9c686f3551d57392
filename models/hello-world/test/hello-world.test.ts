// ferry/hello-world served by the real SDK server: greets, defaults to "world", serves many requests at once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openapiSchema, serveModel, type ModelServer, type PredictionSnapshot } from "@ferry/sdk";
import model from "../src/predict.js";

let server: ModelServer;

async function predict(body: unknown): Promise<{ status: number; body: PredictionSnapshot }> {
  const res = await fetch(`http://127.0.0.1:${server.port}/predictions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: (await res.json()) as PredictionSnapshot };
}

beforeAll(async () => {
  server = await serveModel(model, { port: 0, echoLogs: false });
  const deadline = Date.now() + 5_000;
  while (server.health().status !== "READY") {
    if (Date.now() > deadline) throw new Error("hello-world did not become READY");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
});
afterAll(() => server.close());

describe("ferry/hello-world", () => {
  it("greets the given text", async () => {
    expect(await predict({ input: { text: "ferry" } })).toMatchObject({
      status: 200,
      body: { status: "succeeded", output: "hello ferry" },
    });
  });

  it("greets the world by default", async () => {
    expect((await predict({})).body.output).toBe("hello world");
  });

  it("rejects a non-string text with a 422", async () => {
    const res = await predict({ input: { text: 5 } });
    expect(res.status).toBe(422);
  });

  it("answers 64 concurrent predictions without a 409", async () => {
    const results = await Promise.all(Array.from({ length: 64 }, (_, i) => predict({ input: { text: `n${i}` } })));
    expect(results.map((r) => r.status)).toEqual(Array(64).fill(200));
    expect(results.map((r) => r.body.output)).toEqual(Array.from({ length: 64 }, (_, i) => `hello n${i}`));
  });

  it("describes its input and output in Cog's shape", () => {
    const schemas = (openapiSchema(model) as { components: { schemas: Record<string, unknown> } }).components.schemas;
    expect(schemas["Input"]).toEqual({
      type: "object",
      title: "Input",
      properties: {
        text: { type: "string", title: "Text", description: "Who to greet", default: "world", "x-order": 0 },
      },
    });
    expect(schemas["Output"]).toEqual({ title: "Output", type: "string" });
  });
});
