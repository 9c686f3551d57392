// ferry/hello-world served by the real SDK server: greets, defaults to "world", serves many requests at once.
import { describe, expect, it } from "vitest";
import { openapiSchema } from "@ferry/sdk";
import { serveDuringTests } from "@ferry/model-kit/testing";
import model from "../src/predict.js";

const served = serveDuringTests(model, { readyWithinMs: 5_000, requestTimeoutMs: 10_000 });

describe("ferry/hello-world", () => {
  it("greets the given text", async () => {
    expect(await served.post({ input: { text: "ferry" } })).toMatchObject({
      status: 200,
      body: { status: "succeeded", output: "hello ferry" },
    });
  });

  it("greets the world by default", async () => {
    expect((await served.post({})).body.output).toBe("hello world");
  });

  it("rejects a non-string text with a 422", async () => {
    const res = await served.post({ input: { text: 5 } });
    expect(res.status).toBe(422);
  });

  it("answers 64 concurrent predictions without a 409", async () => {
    const results = await Promise.all(Array.from({ length: 64 }, (_, i) => served.post({ input: { text: `n${i}` } })));
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
