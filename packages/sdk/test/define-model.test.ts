// defineModel carries the definition with types that flow from zod; loadModel imports and checks an entry module.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { defineModel, loadModel, outputs, type PredictContext } from "../src/index.js";

describe("defineModel", () => {
  it("types predict's input from the zod schema and its result from the output", () => {
    const model = defineModel({
      input: z.object({ text: z.string().default("world"), n: z.number().int().optional() }),
      output: z.string(),
      async predict(input, ctx) {
        expectTypeOf(input).toEqualTypeOf<{ text: string; n?: number | undefined }>();
        expectTypeOf(ctx).toEqualTypeOf<PredictContext>();
        return `hello ${input.text}`;
      },
    });
    expect(model.kind).toBe("ferry-model");
    expect(model.concurrency).toBe(1);

    defineModel({
      input: z.object({}),
      output: z.string(),
      // @ts-expect-error a number is not the declared string output
      predict: async () => 42,
    });
    defineModel({
      input: z.object({}),
      output: outputs.iterator(z.string()),
      // @ts-expect-error an iterator output needs an async generator, not a plain value
      predict: async () => "1",
    });
    defineModel({
      input: z.object({ to: z.number() }),
      output: outputs.iterator(z.string()),
      async *predict(input) {
        expectTypeOf(input.to).toEqualTypeOf<number>();
        yield String(input.to);
      },
    });
  });

  it("keeps setup and concurrency and rejects a bad concurrency", () => {
    const setup = () => undefined;
    const model = defineModel({ input: z.object({}), output: z.string(), concurrency: 8, setup, predict: () => "" });
    expect(model.concurrency).toBe(8);
    expect(typeof model.setup).toBe("function");
    expect(() => defineModel({ input: z.object({}), output: z.string(), concurrency: 0, predict: () => "" })).toThrow(
      /concurrency must be a positive integer/,
    );
  });
});

describe("loadModel", () => {
  it("loads a model module's default export", async () => {
    const entry = fileURLToPath(new URL("../../../models/hello-world/src/predict.ts", import.meta.url));
    const model = await loadModel(entry);
    expect(model.kind).toBe("ferry-model");
    expect(model.concurrency).toBe(64);
  });

  it("explains when the default export is not a defineModel result", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ferry-sdk-load-"));
    const plain = join(dir, "plain.mjs");
    writeFileSync(plain, "export default { predict() { return 1; } };\n");
    await expect(loadModel(plain)).rejects.toThrow(/must `export default defineModel\(\{\.\.\.\}\)`.*object/);
    const none = join(dir, "none.mjs");
    writeFileSync(none, "export const x = 1;\n");
    await expect(loadModel(none)).rejects.toThrow(/no default export/);
  });
});
