// Reading a version's Cog-shaped OpenAPI document.
import { describe, expect, it } from "vitest";
import { API_ERRORS, FerryError, isFileOutput, isIteratorOutput, orderedInputNames, titleCase } from "../src/index.js";

const schema = (output: object, input: object = {}) => ({ components: { schemas: { Input: { type: "object", properties: input }, Output: output } } });

describe("cog openapi helpers", () => {
  it("knows an iterator output and a file output", () => {
    const tokens = schema({ type: "array", items: { type: "string" }, "x-cog-array-type": "iterator" });
    expect(isIteratorOutput(tokens)).toBe(true);
    expect(isFileOutput(tokens)).toBe(false);
    const files = schema({ type: "array", items: { type: "string", format: "uri" }, "x-cog-array-type": "iterator" });
    expect(isFileOutput(files)).toBe(true);
    expect(isIteratorOutput(schema({ type: "array", items: { type: "string" } }))).toBe(false);
    expect(isFileOutput(schema({ type: "string", format: "uri" }))).toBe(true);
  });

  it("orders inputs by x-order and titles them as Cog does", () => {
    expect(orderedInputNames(schema({}, { b: { "x-order": 1 }, a: { "x-order": 0 } }))).toEqual(["a", "b"]);
    expect(titleCase("num_inference_steps")).toBe("Num Inference Steps");
  });
});

describe("error catalog", () => {
  it("maps codes to statuses and titles, with the production wording", () => {
    const error = new FerryError("unauthenticated");
    expect([error.status, error.title, error.detail]).toEqual([401, "Unauthenticated", "You did not pass a valid authentication token"]);
    expect(new FerryError("invalid_version").status).toBe(422);
    for (const entry of Object.values(API_ERRORS)) expect(entry.status).toBeGreaterThanOrEqual(400);
  });
});
