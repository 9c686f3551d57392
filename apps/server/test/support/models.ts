// Small models registered straight through the engine, with Cog-shaped schemas; no runner needed.
import type { Engine } from "@ferry/engine";
import { versionIdOf } from "@ferry/core";

export const GREETER_SCHEMA = {
  openapi: "3.0.2",
  info: { title: "Cog", version: "0.1.0" },
  paths: {},
  components: {
    schemas: {
      Input: {
        type: "object",
        title: "Input",
        required: ["text"],
        properties: {
          text: { type: "string", title: "Text", "x-order": 0 },
          steps: { type: "integer", title: "Steps", minimum: 1, maximum: 4, default: 2, "x-order": 1 },
        },
      },
      Output: { type: "string", title: "Output" },
    },
  },
};

export const STREAMER_SCHEMA = {
  ...GREETER_SCHEMA,
  components: {
    schemas: {
      Input: GREETER_SCHEMA.components.schemas.Input,
      Output: { type: "array", title: "Output", items: { type: "string" }, "x-cog-array-type": "iterator" },
    },
  },
};

/** Registers owner/name with one version; the version id is derived from `seed` so each is distinct. */
export async function registerTestModel(
  engine: Engine,
  options: { owner?: string; name: string; seed?: string; visibility?: "public" | "private"; schema?: Record<string, unknown>; readme?: string },
) {
  const owner = options.owner ?? "ferry";
  return engine.models.register({
    owner,
    name: options.name,
    description: `The ${options.name} test model`,
    visibility: options.visibility ?? "public",
    isOfficial: true,
    hardware: "cpu",
    readme: options.readme ?? null,
    githubUrl: "https://github.com/example/ferry",
    version: {
      id: versionIdOf(`${owner}/${options.name}/${options.seed ?? "v1"}`),
      openapiSchema: options.schema ?? GREETER_SCHEMA,
      runtime: { kind: "node", entry: "/nowhere/predict.ts", concurrency: 1 },
      cogVersion: null,
    },
  });
}
