// The OpenAPI document a model produces matches Cog's shape (cog-protocol §3), compared against expected JSON.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineModel, openapiSchema, outputs } from "../src/index.js";

type Doc = { openapi: string; info: unknown; paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };

const drawing = defineModel({
  input: z.object({
    prompt: z.string().describe("What to draw"),
    num_steps: z.number().int().min(1).max(100).default(30),
    guidance_scale: z.number().min(0).max(20).optional().describe("How closely to follow the prompt"),
    style: z.enum(["fast", "balanced", "quality"]).default("fast").describe("Speed or quality"),
    size: z.literal([512, 768]).default(512),
    negative_prompt: z.string().min(2).max(200).regex(/^[a-z ]+$/).default("blurry"),
    seed: z.number().int().optional(),
    upscale: z.boolean().default(false),
  }),
  output: outputs.iterator(z.string(), { concatenate: true }),
  async *predict() {
    yield "x";
  },
});

describe("openapiSchema", () => {
  it("renders inputs with titles, x-order, defaults, bounds, nullable optionals and enum allOf refs", () => {
    const doc = openapiSchema(drawing) as Doc;
    expect(doc.openapi).toBe("3.0.2");
    expect(doc.components.schemas["Input"]).toEqual({
      type: "object",
      title: "Input",
      required: ["prompt"],
      properties: {
        prompt: { type: "string", title: "Prompt", description: "What to draw", "x-order": 0 },
        num_steps: { type: "integer", title: "Num Steps", default: 30, minimum: 1, maximum: 100, "x-order": 1 },
        guidance_scale: {
          type: "number",
          title: "Guidance Scale",
          description: "How closely to follow the prompt",
          minimum: 0,
          maximum: 20,
          nullable: true,
          "x-order": 2,
        },
        style: {
          allOf: [{ $ref: "#/components/schemas/style" }],
          default: "fast",
          description: "Speed or quality",
          "x-order": 3,
        },
        size: { allOf: [{ $ref: "#/components/schemas/size" }], default: 512, "x-order": 4 },
        negative_prompt: {
          type: "string",
          title: "Negative Prompt",
          default: "blurry",
          minLength: 2,
          maxLength: 200,
          pattern: "^[a-z ]+$",
          "x-order": 5,
        },
        seed: { type: "integer", title: "Seed", nullable: true, "x-order": 6 },
        upscale: { type: "boolean", title: "Upscale", default: false, "x-order": 7 },
      },
    });
  });

  it("adds one enum component per choice input, named after the input", () => {
    const { schemas } = (openapiSchema(drawing) as Doc).components;
    expect(schemas["style"]).toEqual({
      title: "style",
      description: "An enumeration.",
      type: "string",
      enum: ["fast", "balanced", "quality"],
    });
    expect(schemas["size"]).toEqual({ title: "size", description: "An enumeration.", type: "integer", enum: [512, 768] });
  });

  it("marks iterator outputs, with the concatenate display when asked", () => {
    expect((openapiSchema(drawing) as Doc).components.schemas["Output"]).toEqual({
      title: "Output",
      type: "array",
      items: { type: "string" },
      "x-cog-array-type": "iterator",
      "x-cog-array-display": "concatenate",
    });
    const plainIterator = defineModel({
      input: z.object({}),
      output: outputs.iterator(z.number().int()),
      async *predict() {
        yield 1;
      },
    });
    expect((openapiSchema(plainIterator) as Doc).components.schemas["Output"]).toEqual({
      title: "Output",
      type: "array",
      items: { type: "integer" },
      "x-cog-array-type": "iterator",
    });
  });

  it("renders plain outputs, titling object fields", () => {
    const model = defineModel({
      input: z.object({}),
      output: z.object({ image_url: z.url(), width: z.number().int() }),
      predict: () => ({ image_url: "https://example.com/a.png", width: 1 }),
    });
    const output = (openapiSchema(model) as Doc).components.schemas["Output"] as Record<string, unknown>;
    expect(output).toMatchObject({
      title: "Output",
      type: "object",
      properties: {
        image_url: { title: "Image Url", type: "string", format: "uri" },
        width: { title: "Width", type: "integer" },
      },
      required: ["image_url", "width"],
    });
    expect((openapiSchema(defineModel({ input: z.object({}), output: z.string(), predict: () => "" })) as Doc).components
      .schemas["Output"]).toEqual({ title: "Output", type: "string" });
  });

  it("carries the Cog envelopes and paths", () => {
    const doc = openapiSchema(drawing) as Doc;
    const { schemas } = doc.components;
    expect(schemas["Status"]).toEqual({
      title: "Status",
      description: "An enumeration.",
      enum: ["starting", "processing", "succeeded", "canceled", "failed"],
      type: "string",
    });
    expect(schemas["WebhookEvent"]).toMatchObject({ enum: ["start", "output", "logs", "completed"] });
    expect(schemas["PredictionRequest"]).toMatchObject({
      properties: { input: { $ref: "#/components/schemas/Input" }, webhook: { format: "uri" } },
    });
    expect(schemas["PredictionResponse"]).toMatchObject({
      properties: { output: { $ref: "#/components/schemas/Output" }, status: { $ref: "#/components/schemas/Status" } },
    });
    expect(schemas["HTTPValidationError"]).toMatchObject({
      properties: { detail: { items: { $ref: "#/components/schemas/ValidationError" } } },
    });
    expect(schemas["ValidationError"]).toMatchObject({ required: ["loc", "msg", "type"] });
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/",
      "/health-check",
      "/predictions",
      "/predictions/{prediction_id}",
      "/predictions/{prediction_id}/cancel",
      "/shutdown",
    ]);
    expect(doc.paths["/predictions"]).toMatchObject({ post: { operationId: "predict_predictions_post" } });
  });

  it("refuses an enum input whose name collides with a component, and inputs JSON Schema cannot describe", () => {
    const collide = defineModel({ input: z.object({ Status: z.enum(["a", "b"]) }), output: z.string(), predict: () => "" });
    expect(() => openapiSchema(collide)).toThrow(/collides/);
    const dated = defineModel({ input: z.object({ when: z.date() }), output: z.string(), predict: () => "" });
    expect(() => openapiSchema(dated)).toThrow(/model input cannot be described/);
  });
});
