// Input validation against a version's Input schema: Replicate's invalid_fields and detail, exactly.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FerryError } from "@ferry/core";
import type { InvalidField, Logger } from "@ferry/core";
import { assembleEngine } from "../src/create-engine.js";
import { createEngineFixture } from "./support/engine-fixture.js";
import type { EngineFixture } from "./support/engine-fixture.js";

let fx: EngineFixture;
beforeAll(async () => {
  fx = await createEngineFixture();
});
afterAll(async () => fx.close());

async function rejection(input: unknown): Promise<FerryError> {
  const error = await fx.engine.predictions.create(fx.user, { target: { kind: "version", ref: fx.version.id }, input }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FerryError);
  return error as FerryError;
}

const field = (type: string, name: string, description: string): InvalidField => ({ type, field: name, description });

describe("input validation", () => {
  const cases: { name: string; input: unknown; fields: InvalidField[] }[] = [
    { name: "a missing required input", input: {}, fields: [field("required", "input", "prompt is required")] },
    {
      name: "a number above its maximum",
      input: { prompt: "a", num_inference_steps: 5 },
      fields: [field("number_lte", "input.num_inference_steps", "Must be less than or equal to 4")],
    },
    {
      name: "a number below its minimum",
      input: { prompt: "a", num_inference_steps: 0 },
      fields: [field("number_gte", "input.num_inference_steps", "Must be greater than or equal to 1")],
    },
    {
      name: "a number at its exclusive maximum",
      input: { prompt: "a", guidance: 10 },
      fields: [field("number_lt", "input.guidance", "Must be less than 10")],
    },
    {
      name: "a number at its exclusive minimum",
      input: { prompt: "a", guidance: 0 },
      fields: [field("number_gt", "input.guidance", "Must be greater than 0")],
    },
    {
      name: "a string where an integer belongs",
      input: { prompt: "a", num_inference_steps: "four" },
      fields: [field("type", "input.num_inference_steps", "Invalid type. Expected: integer, given: string")],
    },
    {
      name: "a fraction where an integer belongs",
      input: { prompt: "a", num_inference_steps: 2.5 },
      fields: [field("type", "input.num_inference_steps", "Invalid type. Expected: integer, given: number")],
    },
    {
      name: "an explicit null for a nullable input",
      input: { prompt: "a", seed: null },
      fields: [field("type", "input.seed", "Invalid type. Expected: integer, given: null")],
    },
    {
      name: "a value outside an enum component (allOf + $ref)",
      input: { prompt: "a", style: "slow" },
      fields: [field("enum", "input.style", 'Must be one of the following: "fast", "balanced", "quality"')],
    },
    {
      name: "a number for an enum of strings (the type error only)",
      input: { prompt: "a", style: 3 },
      fields: [field("type", "input.style", "Invalid type. Expected: string, given: integer")],
    },
    {
      name: "a string that is not a URI",
      input: { prompt: "a", image: "not a uri" },
      fields: [field("format", "input.image", "Does not match format 'uri'")],
    },
    {
      name: "a string too long",
      input: { prompt: "a", code: "abcdef" },
      fields: [field("string_lte", "input.code", "String length must be less than or equal to 5")],
    },
    {
      name: "a string too short that also misses its pattern",
      input: { prompt: "a", code: "A" },
      fields: [
        field("string_gte", "input.code", "String length must be greater than or equal to 2"),
        field("pattern", "input.code", "Does not match pattern '^[a-z]+$'"),
      ],
    },
    {
      name: "too many array items",
      input: { prompt: "a", tags: ["a", "b", "c"] },
      fields: [field("array_max_items", "input.tags", "Array must have at most 2 items")],
    },
    {
      name: "a wrong item type inside an array",
      input: { prompt: "a", tags: [1] },
      fields: [field("type", "input.tags.0", "Invalid type. Expected: string, given: integer")],
    },
    {
      name: "several problems at once (required first)",
      input: { num_inference_steps: 5 },
      fields: [
        field("required", "input", "prompt is required"),
        field("number_lte", "input.num_inference_steps", "Must be less than or equal to 4"),
      ],
    },
    { name: "a string as input", input: "hello", fields: [field("type", "input", "Invalid type. Expected: object, given: string")] },
    { name: "an array as input", input: [1], fields: [field("type", "input", "Invalid type. Expected: object, given: array")] },
    { name: "null as input", input: null, fields: [field("type", "input", "Invalid type. Expected: object, given: null")] },
    { name: "no input at all", input: undefined, fields: [field("type", "input", "Invalid type. Expected: object, given: null")] },
  ];

  it.each(cases)("rejects $name with 422 and Replicate's invalid_fields", async ({ input, fields }) => {
    const error = await rejection(input);
    expect(error.code).toBe("input_validation_failed");
    expect(error.status).toBe(422);
    expect(error.extra.invalid_fields).toEqual(fields);
    expect(error.detail).toBe(fields.map((f) => `- ${f.field}: ${f.description}\n`).join(""));
  });

  it("writes the detail exactly as production does for two problems", async () => {
    const error = await rejection({ num_inference_steps: 5 });
    expect(error.detail).toBe("- input: prompt is required\n- input.num_inference_steps: Must be less than or equal to 4\n");
    expect(error.title).toBe("Input validation failed");
  });

  it("accepts valid input with unknown keys, data URIs and secrets, and stores it as given", async () => {
    const input = { prompt: "a cat", image: "data:image/png;base64,aGk=", style: "quality", api_key: "s3cret", extra: { any: 1 } };
    const prediction = await fx.engine.predictions.create(fx.user, { target: { kind: "version", ref: fx.version.id }, input });
    expect(prediction.input).toEqual(input);
    expect((await fx.store.predictions.get(prediction.id))?.input).toEqual(input);
  });
});

describe("serialized client input", () => {
  const serialized = { auth: "r8_secret_token_value", baseUrl: "https://api.replicate.com/v1", userAgent: "replicate-javascript/1.4.0", fileEncodingStrategy: "data-uri" };

  it("rejects a serialized replicate client with 422 serialized_client_input", async () => {
    const error = await rejection(serialized);
    expect(error.code).toBe("serialized_client_input");
    expect(error.status).toBe(422);
  });

  it.each(["baseUrl", "userAgent", "fileEncodingStrategy", "useFileOutput", "fetch"])("recognizes auth beside %s", async (key) => {
    const error = await rejection({ auth: "r8_x", [key]: "x" });
    expect(error.code).toBe("serialized_client_input");
  });

  it("lets an input named auth through when nothing else looks like a client", async () => {
    const error = await rejection({ auth: "r8_x" });
    expect(error.code).toBe("input_validation_failed");
  });

  it("never logs the input, even on a version that does not exist", async () => {
    const lines: string[] = [];
    const record = (obj: object, msg?: string) => void lines.push(JSON.stringify(obj) + (msg ?? ""));
    const log: Logger = { debug: record, info: record, warn: record, error: record };
    const { engine } = assembleEngine({ store: fx.store, clock: fx.clock, log });
    for (const ref of [fx.version.id, "0".repeat(64)]) {
      await expect(engine.predictions.create(fx.user, { target: { kind: "version", ref }, input: serialized })).rejects.toMatchObject({
        code: "serialized_client_input",
      });
    }
    expect(lines.join("\n")).not.toContain("r8_secret_token_value");
  });
});
