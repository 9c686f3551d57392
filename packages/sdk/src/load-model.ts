// Loads a model entry module and checks that its default export came from defineModel().
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { isModelDefinition, type ModelDefinition } from "./define-model.js";

/**
 * Imports `entryPath` (a file path, relative to the working directory or absolute) and returns its default export.
 * Throws a clear error when the module does not `export default defineModel({...})`.
 */
export async function loadModel(entryPath: string): Promise<ModelDefinition> {
  const url = pathToFileURL(resolve(entryPath)).href;
  const mod = (await import(url)) as { default?: unknown };
  if (!isModelDefinition(mod.default)) {
    const got = mod.default === undefined ? "no default export" : `a default export of type ${describe(mod.default)}`;
    throw new Error(`${entryPath} must \`export default defineModel({...})\` from @ferry/sdk, but it has ${got}`);
  }
  return mod.default;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}
