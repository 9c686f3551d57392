// Where files sit in a model's inputs and outputs, read from its Cog-shaped schema: a string of format "uri"
// (Cog's Path), also inside arrays and object properties.
import type { JsonSchema } from "../openapi/zod-json.js";

/** Whether a schema node is a file. */
export function isFileNode(schema: unknown): boolean {
  const node = schema as JsonSchema | null | undefined;
  return node?.["type"] === "string" && node["format"] === "uri";
}

/** Names of the inputs of an `Input` component that take files (format "uri", or arrays of them). */
export function fileInputNames(input: JsonSchema): string[] {
  const props = (input["properties"] ?? {}) as Record<string, JsonSchema>;
  return Object.keys(props).filter((name) => {
    const prop = props[name];
    return isFileNode(prop) || (prop?.["type"] === "array" && isFileNode(prop["items"]));
  });
}

/** Whether any part of a schema is a file (so values of it need walking at all). */
export function containsFiles(schema: unknown): boolean {
  if (typeof schema !== "object" || schema === null) return false;
  if (isFileNode(schema)) return true;
  const node = schema as JsonSchema;
  if (containsFiles(node["items"])) return true;
  const props = node["properties"];
  return typeof props === "object" && props !== null && Object.values(props).some(containsFiles);
}

/**
 * Replaces each file in `value` (a string where `schema` has a file) by what `convert` makes of it, one at a time
 * in order; everything else is kept as it is.
 */
export async function mapFiles(value: unknown, schema: unknown, convert: (file: string) => Promise<string>): Promise<unknown> {
  if (typeof schema !== "object" || schema === null || value === null || value === undefined) return value;
  const node = schema as JsonSchema;
  if (isFileNode(node)) return typeof value === "string" ? convert(value) : value;
  if (Array.isArray(value) && node["items"] !== undefined) {
    const out: unknown[] = [];
    for (const item of value) out.push(await mapFiles(item, node["items"], convert));
    return out;
  }
  const props = node["properties"] as Record<string, unknown> | undefined;
  if (props !== undefined && typeof value === "object" && !Array.isArray(value)) {
    const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const [key, child] of Object.entries(props)) {
      if (key in out) out[key] = await mapFiles(out[key], child, convert);
    }
    return out;
  }
  return value;
}
