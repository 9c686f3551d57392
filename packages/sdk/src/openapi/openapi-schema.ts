// Assembles a model's full Cog-shaped OpenAPI 3.0.2 document (cog-protocol §3).
import type { ModelDefinition } from "../define-model.js";
import { cogPaths, envelopeComponents } from "./envelopes.js";
import { inputComponents } from "./input-schema.js";
import { outputComponent } from "./output-schema.js";

/**
 * The OpenAPI document a Cog server would serve at `/openapi.json` for this model: `components.schemas.Input`
 * (titles, `x-order`, defaults, bounds, enum components with `allOf` refs), `Output` (iterator markers), the
 * prediction envelopes and the paths. Throws when an input or output cannot be described as JSON Schema.
 */
export function openapiSchema(def: ModelDefinition): Record<string, unknown> {
  const { input, enums } = inputComponents(def.input);
  return {
    openapi: "3.0.2",
    info: { title: "Cog", version: "0.1.0" },
    paths: cogPaths(),
    components: {
      schemas: {
        Input: input,
        Output: outputComponent(def.output),
        ...enums,
        ...envelopeComponents(),
      },
    },
  };
}
