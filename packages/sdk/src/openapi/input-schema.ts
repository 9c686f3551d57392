// Renders a model's zod input object as Cog's `Input` component (cog-protocol §3.2), enums as their own components.
import type { InputSpec } from "../define-model.js";
import { titleCase } from "./title-case.js";
import { zodToOpenApi, type JsonSchema } from "./zod-json.js";

/** The `Input` component plus one enum component per choice-valued input, keyed by component name. */
export interface InputComponents {
  input: JsonSchema;
  enums: Record<string, JsonSchema>;
}

const RESERVED = new Set([
  "Input",
  "Output",
  "PredictionRequest",
  "PredictionResponse",
  "Status",
  "WebhookEvent",
  "ValidationError",
  "HTTPValidationError",
]);

/** Builds the Input component in key order (`x-order`), with titles, nullable optionals and enum `allOf` refs. */
export function inputComponents(input: InputSpec): InputComponents {
  const base = zodToOpenApi(input, "input", "model input");
  const properties = (base["properties"] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((base["required"] ?? []) as string[]);
  const outProps: Record<string, JsonSchema> = {};
  const enums: Record<string, JsonSchema> = {};
  Object.keys(input.shape).forEach((name, order) => {
    const prop = properties[name];
    if (!prop) return;
    const nullable = prop["nullable"] === true || (!required.has(name) && !("default" in prop));
    const choices = enumOf(prop);
    if (choices) {
      if (RESERVED.has(name)) throw new Error(`input "${name}" has choices but its name collides with a schema component`);
      enums[name] = { title: name, description: "An enumeration.", type: choices.type, enum: choices.values };
      outProps[name] = pick(prop, ["description", "default", "deprecated"], {
        allOf: [{ $ref: `#/components/schemas/${name}` }],
        ...(nullable ? { nullable: true } : {}),
        "x-order": order,
      });
      return;
    }
    const { nullable: _drop, title, description, default: def, ...rest } = prop;
    outProps[name] = {
      ...(rest["type"] !== undefined ? { type: rest["type"] } : {}),
      title: title ?? titleCase(name),
      ...(description !== undefined ? { description } : {}),
      ...(def !== undefined ? { default: def } : {}),
      ...rest,
      ...(nullable ? { nullable: true } : {}),
      "x-order": order,
    };
  });
  const schema: JsonSchema = { type: "object", title: "Input", properties: outProps };
  if (required.size > 0) schema["required"] = Object.keys(outProps).filter((name) => required.has(name));
  return { input: schema, enums };
}

interface Choices {
  type: "string" | "integer" | "number" | "boolean";
  values: unknown[];
}

/** Choices from `z.enum`, `z.literal(...)` or a union of literals of one primitive type; null when not an enum. */
function enumOf(prop: JsonSchema): Choices | null {
  let values: unknown[] | null = null;
  if (Array.isArray(prop["enum"])) values = prop["enum"] as unknown[];
  else if (Array.isArray(prop["anyOf"])) {
    const branches = prop["anyOf"] as JsonSchema[];
    if (branches.every((branch) => Array.isArray(branch["enum"]))) values = branches.flatMap((b) => b["enum"] as unknown[]);
  }
  if (!values || values.length === 0) return null;
  if (values.every((v) => typeof v === "string")) return { type: "string", values };
  if (values.every((v) => typeof v === "boolean")) return { type: "boolean", values };
  if (values.every((v) => typeof v === "number")) {
    return { type: values.every((v) => Number.isInteger(v)) ? "integer" : "number", values };
  }
  return null;
}

function pick(source: JsonSchema, keys: string[], into: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...into };
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}
