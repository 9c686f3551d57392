// Reads a Cog version's `components.schemas.Input` into form fields: $ref/allOf resolved (Cog puts enums in
// their own schemas), ordered by `x-order`, each with the kind of control that fits its type.
import type { JsonSchema, OpenApiSchema } from "../../api/types.js";

export type FieldKind = "enum" | "boolean" | "integer" | "number" | "string" | "text" | "file" | "array" | "json";

export interface Field {
  name: string;
  label: string;
  description: string | null;
  kind: FieldKind;
  required: boolean;
  schema: JsonSchema;
  default: unknown;
  options: unknown[];
  min: number | undefined;
  max: number | undefined;
}

/** The form's state: strings for text-like controls (so half-typed numbers survive), booleans for checkboxes. */
export type FormValues = Record<string, string | boolean>;

export function inputFields(openapi: OpenApiSchema | null | undefined): Field[] {
  const schemas = openapi?.components?.schemas ?? {};
  const input = schemas.Input;
  if (!input) return [];
  const required = new Set(input.required ?? []);
  return Object.entries(input.properties ?? {})
    .map(([name, raw]) => toField(name, resolve(raw, schemas), required.has(name)))
    .sort((a, b) => order(a) - order(b) || a.name.localeCompare(b.name));
}

function order(field: Field): number {
  const value = field.schema["x-order"];
  return typeof value === "number" ? value : Number.MAX_SAFE_INTEGER;
}

/** Merges `$ref` and `allOf` parts into one schema; the property's own keys (default, description) win. */
export function resolve(schema: JsonSchema, schemas: Record<string, JsonSchema>, depth = 0): JsonSchema {
  if (depth > 8) return schema;
  let merged: JsonSchema = {};
  if (schema.$ref) {
    const target = schemas[schema.$ref.replace(/^#\/components\/schemas\//, "")];
    if (target) merged = { ...merged, ...resolve(target, schemas, depth + 1) };
  }
  for (const part of schema.allOf ?? []) merged = { ...merged, ...resolve(part, schemas, depth + 1) };
  // `anyOf: [X, {type: null}]` is how some schemas spell nullable.
  const nonNull = (schema.anyOf ?? []).filter((part) => part.type !== "null");
  if (nonNull.length === 1 && nonNull[0]) merged = { ...merged, ...resolve(nonNull[0], schemas, depth + 1), nullable: true };
  const { $ref: _ref, allOf: _allOf, ...own } = schema;
  return { ...merged, ...own };
}

function kindOf(schema: JsonSchema): FieldKind {
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return "enum";
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  switch (type) {
    case "boolean":
      return "boolean";
    case "integer":
      return "integer";
    case "number":
      return "number";
    case "array":
      return "array";
    case "string":
      if (schema.format === "uri") return "file";
      return /prompt|text|description|message|content/i.test(`${schema.title ?? ""}`) ? "text" : "string";
    default:
      return "json";
  }
}

function toField(name: string, schema: JsonSchema, required: boolean): Field {
  const min = schema.minimum ?? schema.exclusiveMinimum;
  const max = schema.maximum ?? schema.exclusiveMaximum;
  return {
    name,
    label: schema.title ?? name,
    description: schema.description ?? null,
    kind: kindOf(schema),
    required,
    schema,
    default: schema.default,
    options: schema.enum ?? [],
    min: typeof min === "number" ? min : undefined,
    max: typeof max === "number" ? max : undefined,
  };
}

export function initialValues(fields: Field[], from?: Record<string, unknown>): FormValues {
  const values: FormValues = {};
  for (const field of fields) {
    const value = from && field.name in from ? from[field.name] : field.default;
    values[field.name] = field.kind === "boolean" ? value === true : toText(value, field.kind);
  }
  return values;
}

function toText(value: unknown, kind: FieldKind): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (kind === "array" || kind === "json") return JSON.stringify(value, null, 2);
  return String(value);
}

export interface BuiltInput {
  input: Record<string, unknown>;
  /** Field name → a sentence about what is wrong with it. */
  errors: Record<string, string>;
}

/** The JSON input to send: empty optional fields are left out so the model's defaults apply. */
export function buildInput(fields: Field[], values: FormValues): BuiltInput {
  const input: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const raw = values[field.name];
    if (field.kind === "boolean") {
      input[field.name] = raw === true;
      continue;
    }
    const text = typeof raw === "string" ? raw : "";
    if (text.trim() === "") {
      if (field.required) errors[field.name] = `${field.label} is required.`;
      continue;
    }
    const parsed = parseValue(field, text);
    if ("error" in parsed) errors[field.name] = parsed.error;
    else input[field.name] = parsed.value;
  }
  return { input, errors };
}

function parseValue(field: Field, text: string): { value: unknown } | { error: string } {
  switch (field.kind) {
    case "integer":
    case "number": {
      const n = Number(text);
      if (!Number.isFinite(n)) return { error: `${field.label} must be a number.` };
      if (field.kind === "integer" && !Number.isInteger(n)) return { error: `${field.label} must be a whole number.` };
      if (field.min !== undefined && n < field.min) return { error: `${field.label} must be at least ${field.min}.` };
      if (field.max !== undefined && n > field.max) return { error: `${field.label} must be at most ${field.max}.` };
      return { value: n };
    }
    case "enum": {
      const option = field.options.find((o) => String(o) === text);
      return option === undefined ? { error: `Choose one of the options for ${field.label}.` } : { value: option };
    }
    case "array":
    case "json": {
      try {
        return { value: JSON.parse(text) };
      } catch {
        if (field.kind === "array") return { value: text.split("\n").map((line) => line.trim()).filter(Boolean) };
        return { error: `${field.label} must be valid JSON.` };
      }
    }
    default:
      return { value: text };
  }
}
