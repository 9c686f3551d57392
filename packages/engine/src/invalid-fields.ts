// Turns Ajv errors into Replicate's invalid_fields (spec §1.5): the error types and wording of Replicate's
// validator, one entry per problem, and the detail text that lists them.
import type { InvalidField } from "@ferry/core";
import type { ErrorObject } from "ajv";

/** "- <field>: <description>\n" per field, concatenated, as Replicate's detail reads. */
export function invalidFieldsDetail(fields: InvalidField[]): string {
  return fields.map((f) => `- ${f.field}: ${f.description}\n`).join("");
}

/** The JSON type name of a value as Replicate reports it ("integer" for whole numbers). */
export function jsonTypeName(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

export function toInvalidFields(errors: ErrorObject[], input: unknown): InvalidField[] {
  const kept = dropRedundant(errors);
  const required = kept.filter((e) => e.keyword === "required");
  const others = kept.filter((e) => e.keyword !== "required");
  return [...required, ...others].map((error) => toInvalidField(error, input));
}

/**
 * Keeps one root cause per value: a failed anyOf/oneOf hides its branches' errors, and a type error hides
 * the other errors on the same value (an integer given to an enum of strings is a type error, not an enum one).
 */
function dropRedundant(errors: ErrorObject[]): ErrorObject[] {
  const combinators = errors.filter((e) => e.keyword === "anyOf" || e.keyword === "oneOf").map((e) => e.schemaPath + "/");
  const withoutBranches = errors.filter((e) => !combinators.some((prefix) => e.schemaPath.startsWith(prefix)));
  const typed = new Set(withoutBranches.filter((e) => e.keyword === "type").map((e) => e.instancePath));
  const seen = new Set<string>();
  return withoutBranches.filter((e) => {
    if (typed.has(e.instancePath) && e.keyword !== "type") return false;
    const key = `${e.instancePath}\u0000${e.keyword}\u0000${JSON.stringify(e.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function toInvalidField(error: ErrorObject, input: unknown): InvalidField {
  const field = fieldName(error.instancePath);
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return { type: "required", field, description: `${String(p["missingProperty"])} is required` };
    case "type": {
      const expected = Array.isArray(p["type"]) ? (p["type"] as string[]).join(", ") : String(p["type"]);
      const given = jsonTypeName(valueAt(input, error.instancePath));
      return { type: "type", field, description: `Invalid type. Expected: ${expected}, given: ${given}` };
    }
    case "maximum":
      return { type: "number_lte", field, description: `Must be less than or equal to ${String(p["limit"])}` };
    case "minimum":
      return { type: "number_gte", field, description: `Must be greater than or equal to ${String(p["limit"])}` };
    case "exclusiveMaximum":
      return { type: "number_lt", field, description: `Must be less than ${String(p["limit"])}` };
    case "exclusiveMinimum":
      return { type: "number_gt", field, description: `Must be greater than ${String(p["limit"])}` };
    case "multipleOf":
      return { type: "multiple_of", field, description: `Must be a multiple of ${String(p["multipleOf"])}` };
    case "enum": {
      const allowed = (p["allowedValues"] as unknown[]).map((v) => JSON.stringify(v)).join(", ");
      return { type: "enum", field, description: `Must be one of the following: ${allowed}` };
    }
    case "const":
      return { type: "const", field, description: `Does not match: ${JSON.stringify(p["allowedValue"])}` };
    case "minLength":
      return { type: "string_gte", field, description: `String length must be greater than or equal to ${String(p["limit"])}` };
    case "maxLength":
      return { type: "string_lte", field, description: `String length must be less than or equal to ${String(p["limit"])}` };
    case "pattern":
      return { type: "pattern", field, description: `Does not match pattern '${String(p["pattern"])}'` };
    case "format":
      return { type: "format", field, description: `Does not match format '${String(p["format"])}'` };
    case "minItems":
      return { type: "array_min_items", field, description: `Array must have at least ${String(p["limit"])} items` };
    case "maxItems":
      return { type: "array_max_items", field, description: `Array must have at most ${String(p["limit"])} items` };
    case "uniqueItems":
      return { type: "unique", field, description: `array items[${String(p["j"])}],[${String(p["i"])}] must be unique` };
    case "minProperties":
      return { type: "array_min_properties", field, description: `Must have at least ${String(p["limit"])} properties` };
    case "maxProperties":
      return { type: "array_max_properties", field, description: `Must have at most ${String(p["limit"])} properties` };
    case "additionalProperties":
      return {
        type: "additional_property_not_allowed",
        field,
        description: `Additional property ${String(p["additionalProperty"])} is not allowed`,
      };
    case "anyOf":
      return { type: "number_any_of", field, description: "Must validate at least one schema (anyOf)" };
    case "oneOf":
      return { type: "number_one_of", field, description: "Must validate one and only one schema (oneOf)" };
    case "not":
      return { type: "number_not", field, description: "Must not validate the schema (not)" };
    default: {
      const message = error.message ?? "is invalid";
      return { type: error.keyword, field, description: message[0]!.toUpperCase() + message.slice(1) };
    }
  }
}

/** "/steps" → "input.steps"; "" → "input"; "/items/0" → "input.items.0". */
function fieldName(instancePath: string): string {
  if (instancePath === "") return "input";
  return "input" + pointerParts(instancePath).map((part) => `.${part}`).join("");
}

function pointerParts(pointer: string): string[] {
  return pointer
    .split("/")
    .slice(1)
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function valueAt(root: unknown, pointer: string): unknown {
  let current = root;
  for (const part of pointerParts(pointer)) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
