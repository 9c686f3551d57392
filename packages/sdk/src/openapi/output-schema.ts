// Renders a model's output declaration as Cog's `Output` component (cog-protocol §3.3), iterator markers included.
import type { z } from "zod";
import { isIteratorOutput, type OutputSpec } from "../define-model.js";
import { titleCase } from "./title-case.js";
import { zodToOpenApi, type JsonSchema } from "./zod-json.js";

/** The `Output` component: a plain type, or `{type: array, items, x-cog-array-type: iterator}` for iterators. */
export function outputComponent(output: OutputSpec): JsonSchema {
  if (isIteratorOutput(output)) {
    return {
      title: "Output",
      type: "array",
      items: render(output.item),
      "x-cog-array-type": "iterator",
      ...(output.concatenate ? { "x-cog-array-display": "concatenate" } : {}),
    };
  }
  return { title: "Output", ...render(output) };
}

function render(schema: z.ZodType): JsonSchema {
  const rest = zodToOpenApi(schema, "output", "model output");
  if (rest["type"] === "object" && rest["properties"] && typeof rest["properties"] === "object") {
    const properties: Record<string, JsonSchema> = {};
    for (const [name, prop] of Object.entries(rest["properties"] as Record<string, JsonSchema>)) {
      properties[name] = { title: titleCase(name), ...prop };
    }
    rest["properties"] = properties;
  }
  return rest;
}
