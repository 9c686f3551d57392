// Helpers over a version's Cog-shaped OpenAPI document (spec/cog-protocol.md §3).

export type JsonSchema = Record<string, unknown>;

export function schemaComponents(openapi: Record<string, unknown>): Record<string, JsonSchema> {
  const components = openapi["components"] as { schemas?: Record<string, JsonSchema> } | undefined;
  return components?.schemas ?? {};
}

export function inputSchema(openapi: Record<string, unknown>): JsonSchema | null {
  return schemaComponents(openapi)["Input"] ?? null;
}

export function outputSchema(openapi: Record<string, unknown>): JsonSchema | null {
  return schemaComponents(openapi)["Output"] ?? null;
}

/** Iterator outputs arrive chunk by chunk and can be streamed. */
export function isIteratorOutput(openapi: Record<string, unknown>): boolean {
  const output = outputSchema(openapi);
  return output?.["type"] === "array" && output["x-cog-array-type"] === "iterator";
}

/** Outputs whose items (or self) are files: their stream lives under /v1/files/. */
export function isFileOutput(openapi: Record<string, unknown>): boolean {
  const output = outputSchema(openapi);
  if (!output) return false;
  const items = output["type"] === "array" ? (output["items"] as JsonSchema | undefined) : output;
  return items?.["type"] === "string" && items["format"] === "uri";
}

/** "num_steps" → "Num Steps", as Cog titles inputs. */
export function titleCase(name: string): string {
  return name
    .split("_")
    .filter((part) => part.length > 0)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join(" ");
}

/** Input property names in x-order. */
export function orderedInputNames(openapi: Record<string, unknown>): string[] {
  const props = (inputSchema(openapi)?.["properties"] ?? {}) as Record<string, JsonSchema>;
  return Object.keys(props).sort((a, b) => Number(props[a]?.["x-order"] ?? 0) - Number(props[b]?.["x-order"] ?? 0));
}

/** Whether a schema node is a file: a string of format "uri" (Cog's Path and File). */
export function isFileSchema(schema: unknown): boolean {
  const node = schema as JsonSchema | null | undefined;
  return node?.["type"] === "string" && node["format"] === "uri";
}

/** Names of the inputs that take files: format "uri", or arrays of them (Cog's `list[Path]`). */
export function fileInputNames(openapi: Record<string, unknown>): string[] {
  const props = (inputSchema(openapi)?.["properties"] ?? {}) as Record<string, JsonSchema>;
  return Object.keys(props).filter((name) => {
    const prop = props[name];
    return isFileSchema(prop) || (prop?.["type"] === "array" && isFileSchema(prop["items"]));
  });
}
