// zod → OpenAPI 3.0 schema objects, minus the artefacts Cog schemas do not have.
import { z } from "zod";

export type JsonSchema = Record<string, unknown>;

/** Renders a zod type; `what` names it in the error thrown for types JSON Schema cannot describe. */
export function zodToOpenApi(schema: z.ZodType, io: "input" | "output", what: string): JsonSchema {
  try {
    const json = z.toJSONSchema(schema, {
      io,
      target: "openapi-3.0",
      reused: "inline",
      override: ({ jsonSchema }) => dropSafeIntegerBounds(jsonSchema as JsonSchema),
    }) as JsonSchema;
    delete json["$schema"];
    return json;
  } catch (error) {
    throw new Error(`${what} cannot be described as JSON Schema: ${(error as Error).message}`, { cause: error });
  }
}

/** `z.number().int()` implies ±MAX_SAFE_INTEGER bounds; Cog's `int` has none, so they are not shown. */
function dropSafeIntegerBounds(json: JsonSchema): void {
  if (json["type"] !== "integer") return;
  if (json["minimum"] === Number.MIN_SAFE_INTEGER) delete json["minimum"];
  if (json["maximum"] === Number.MAX_SAFE_INTEGER) delete json["maximum"];
}
