// Registers the official models shipped in FERRY_MODELS_DIR (one folder with a ferry.json each) at start.
// A model that fails to load is logged and skipped; it never stops the server.
import { readFile, readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { z } from "zod";
import { versionIdOf } from "@ferry/core";
import type { Logger } from "@ferry/core";
import type { Engine } from "@ferry/engine";
import { loadModel, openapiSchema } from "@ferry/sdk";
import { isHardwareSku } from "./hardware-catalog.js";

const NAME = /^[a-z0-9][a-z0-9._-]*$/;
const nullableUrl = z.url().nullable().optional();

const MANIFEST = z.object({
  owner: z.string().regex(NAME, "owner must use lowercase letters, digits, '.', '_' and '-'"),
  name: z.string().regex(NAME, "name must use lowercase letters, digits, '.', '_' and '-'"),
  description: z.string().nullable().optional(),
  visibility: z.enum(["public", "private"]).default("public"),
  hardware: z.string().refine(isHardwareSku, "hardware must be a SKU of GET /v1/hardware").default("cpu"),
  predict: z.string().min(1),
  license_url: nullableUrl,
  github_url: nullableUrl,
  paper_url: nullableUrl,
  cover_image_url: nullableUrl,
});

/** Folders and files left out of a version's content hash. */
const EXCLUDED = new Set(["node_modules", "test", "dist"]);

export interface BuiltinModelResult {
  registered: { model: string; versionId: string; folder: string }[];
  failed: { folder: string; error: string }[];
}

/** Scans `modelsDir/*\/ferry.json` and registers each model through the engine as an official model. */
export async function registerBuiltinModels(engine: Engine, modelsDir: string, log: Logger): Promise<BuiltinModelResult> {
  const result: BuiltinModelResult = { registered: [], failed: [] };
  let entries;
  try {
    entries = await readdir(modelsDir, { withFileTypes: true });
  } catch (error) {
    log.warn({ modelsDir, err: error }, "models folder not readable; no built-in models registered");
    return result;
  }
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const folder = resolve(modelsDir, entry.name);
    try {
      const registered = await registerFolder(engine, folder);
      if (registered === null) continue;
      result.registered.push({ ...registered, folder });
      log.info({ model: registered.model, version: registered.versionId }, "registered built-in model");
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      result.failed.push({ folder, error: message });
      log.error({ folder, err: error }, "built-in model failed to load; skipped");
    }
  }
  return result;
}

/** Registers one model folder; null when it has no ferry.json (not a model). */
async function registerFolder(engine: Engine, folder: string): Promise<{ model: string; versionId: string } | null> {
  let text: string;
  try {
    text = await readFile(join(folder, "ferry.json"), "utf8");
  } catch {
    return null;
  }
  const parsed = MANIFEST.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new Error(`ferry.json is invalid: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  const manifest = parsed.data;
  const entry = resolve(folder, manifest.predict);
  const definition = await loadModel(entry);
  const schema = openapiSchema(definition);
  const versionId = await folderVersionId(folder, schema);
  const readme = await readFile(join(folder, "README.md"), "utf8").catch(() => null);

  await engine.models.register({
    owner: manifest.owner,
    name: manifest.name,
    description: manifest.description ?? null,
    visibility: manifest.visibility,
    isOfficial: true,
    hardware: manifest.hardware,
    githubUrl: manifest.github_url ?? null,
    paperUrl: manifest.paper_url ?? null,
    licenseUrl: manifest.license_url ?? null,
    coverImageUrl: manifest.cover_image_url ?? null,
    readme,
    version: {
      id: versionId,
      openapiSchema: schema,
      runtime: { kind: "node", entry, concurrency: definition.concurrency ?? 1 },
      cogVersion: null,
    },
  });
  return { model: `${manifest.owner}/${manifest.name}`, versionId };
}

/**
 * A version id is the sha256 of the folder's content and its schema: for each file (sorted relative paths,
 * "/"-separated, leaving out node_modules, test, dist and dot-files) `path \0 byteLength \0 bytes`, then the
 * schema JSON. The same folder always gives the same id; any change to a file gives a new one.
 */
export async function folderVersionId(folder: string, schema: Record<string, unknown>): Promise<string> {
  const files = (await listFiles(folder, "")).sort();
  const parts: Buffer[] = [];
  for (const path of files) {
    const bytes = await readFile(join(folder, path));
    parts.push(Buffer.from(`${path}\0${bytes.byteLength}\0`), bytes);
  }
  parts.push(Buffer.from(JSON.stringify(schema)));
  return versionIdOf(Buffer.concat(parts));
}

async function listFiles(root: string, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(root, prefix), { withFileTypes: true })) {
    if (EXCLUDED.has(entry.name) || entry.name.startsWith(".")) continue;
    const path = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await listFiles(root, path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}
