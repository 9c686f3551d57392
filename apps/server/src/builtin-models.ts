// Registers the official models shipped in FERRY_MODELS_DIR (one folder with a ferry.json each) at start, with
// their catalog entries and the official collections. A folder whose manifest is invalid is logged and skipped; a
// model whose code fails to load, or that requires a program missing from PATH, is registered as unavailable
// (listed with its reason; its predictions answer 503). Nothing here ever stops the server.
import { createHash } from "node:crypto";
import { readFile, readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { versionIdOf } from "@ferry/core";
import type { Logger, ModelCatalogEntry } from "@ferry/core";
import type { Engine, RegisterModelRequest } from "@ferry/engine";
import { loadModel, openapiSchema } from "@ferry/sdk";
import { resolveExampleInput } from "./catalog/example-inputs.js";
import { parseManifest } from "./catalog/manifest.js";
import type { Manifest } from "./catalog/manifest.js";
import { fileInside } from "./catalog/model-assets.js";
import type { ModelAssets } from "./catalog/model-assets.js";
import { OFFICIAL_COLLECTIONS } from "./catalog/official-collections.js";
import { missingPrograms } from "./catalog/programs-on-path.js";

/** Folders and files left out of a version's content hash. */
const EXCLUDED = new Set(["node_modules", "test", "dist"]);

/** A manifest example with its file paths turned into URLs. */
export interface ResolvedExample {
  name: string;
  input: Record<string, unknown>;
}

export interface RegisteredModel {
  model: string;
  owner: string;
  name: string;
  /** null when the model's code failed to load (no version was registered). */
  versionId: string | null;
  folder: string;
  /** Why it cannot run here, or null. */
  unavailableReason: string | null;
  /** Its manifest examples, in order (the first is the default example); empty when it has none or they are broken. */
  examples: ResolvedExample[];
}

export interface BuiltinModelResult {
  /** Every model listed by the API, unavailable ones included. */
  registered: RegisteredModel[];
  /** Folders with a ferry.json that could not be registered at all (an invalid manifest). */
  failed: { folder: string; error: string }[];
  /** The public files (cover, examples) of every registered model: the asset routes serve them. */
  assets: ModelAssets;
}

export interface BuiltinModelOptions {
  /** Base of the cover and example file URLs (FERRY_PUBLIC_URL). */
  publicUrl: string;
  /** PATH searched for `requires` programs; default process.env.PATH. */
  path?: string;
}

/** Scans `modelsDir/*\/ferry.json`, registers each model as an official model, and fills the official collections. */
export async function registerBuiltinModels(engine: Engine, modelsDir: string, log: Logger, options: BuiltinModelOptions): Promise<BuiltinModelResult> {
  const result: BuiltinModelResult = { registered: [], failed: [], assets: new Map() };
  let entries;
  try {
    entries = await readdir(modelsDir, { withFileTypes: true });
  } catch (error) {
    log.warn({ modelsDir, err: error }, "models folder not readable; no built-in models registered");
    return result;
  }
  const members = new Map<string, string[]>(OFFICIAL_COLLECTIONS.map((c) => [c.slug, []]));
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const folder = resolve(modelsDir, entry.name);
    try {
      const manifest = await readManifest(folder);
      if (manifest === null) continue;
      const registered = await registerFolder(engine, folder, manifest, options, log, result.assets);
      result.registered.push(registered);
      members.get("official")?.push(registered.model);
      for (const slug of manifest.collections) members.get(slug)?.push(registered.model);
      if (registered.unavailableReason === null) {
        log.info({ model: registered.model, version: registered.versionId }, "registered built-in model");
      } else {
        log.warn({ model: registered.model, reason: registered.unavailableReason }, "built-in model registered as unavailable");
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      result.failed.push({ folder, error: message });
      log.error({ folder, err: error }, "built-in model failed to register; skipped");
    }
  }
  for (const collection of OFFICIAL_COLLECTIONS) {
    await engine.catalog.putCollection(collection, members.get(collection.slug) ?? []);
  }
  return result;
}

/** The folder's manifest; null when it has no ferry.json (not a model). */
async function readManifest(folder: string): Promise<Manifest | null> {
  let text: string;
  try {
    text = await readFile(join(folder, "ferry.json"), "utf8");
  } catch {
    return null;
  }
  return parseManifest(text);
}

async function registerFolder(
  engine: Engine,
  folder: string,
  manifest: Manifest,
  options: BuiltinModelOptions,
  log: Logger,
  assets: ModelAssets,
): Promise<RegisteredModel> {
  const { owner, name } = manifest;
  const ref = `${owner}/${name}`;
  const cover = manifest.cover_image === undefined ? null : await fileInside(folder, ".", manifest.cover_image);
  // A missing cover is cosmetic: the model is listed without one rather than not at all.
  if (manifest.cover_image !== undefined && cover === null) log.warn({ model: `${owner}/${name}`, cover: manifest.cover_image }, "cover_image is not a file in the folder; no cover");
  const readme = await readFile(join(folder, "README.md"), "utf8").catch(() => null);
  const request: Omit<RegisterModelRequest, "version"> = {
    owner,
    name,
    description: manifest.description ?? null,
    visibility: manifest.visibility,
    isOfficial: true,
    hardware: manifest.hardware,
    githubUrl: manifest.github_url ?? null,
    paperUrl: manifest.paper_url ?? null,
    licenseUrl: manifest.license_url ?? null,
    coverImageUrl: cover === null ? (manifest.cover_image_url ?? null) : await coverUrl(options.publicUrl, ref, cover.path),
    readme,
  };
  assets.set(ref, { folder, cover: cover === null ? null : (manifest.cover_image ?? null), public: manifest.visibility === "public" });

  const missing = await missingPrograms(manifest.requires, options.path);
  let unavailableReason = missing.length === 0 ? null : `it needs ${missing.join(", ")}, which ${missing.length === 1 ? "is" : "are"} not installed (not found on PATH)`;
  const entry = resolve(folder, manifest.predict);
  let loaded;
  try {
    const definition = await loadModel(entry);
    const schema = openapiSchema(definition);
    loaded = { schema, concurrency: definition.concurrency ?? 1, versionId: await folderVersionId(folder, schema) };
  } catch (error) {
    loaded = null;
    unavailableReason = `its code failed to load: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (loaded === null) {
    // The model stays listed, with the reason, so an operator sees what is wrong where they look for it.
    await engine.catalog.registerUnavailable(request, unavailableReason ?? "its code failed to load");
  } else {
    await engine.models.register({
      ...request,
      version: { id: loaded.versionId, openapiSchema: loaded.schema, runtime: { kind: "node", entry, concurrency: loaded.concurrency }, cogVersion: null },
    });
  }
  const versionId = loaded?.versionId ?? null;
  await engine.catalog.describe(owner, name, catalogEntryOf(manifest, unavailableReason));

  let examples: ResolvedExample[] = [];
  try {
    const model = { folder, owner, name, publicUrl: options.publicUrl };
    examples = await Promise.all(manifest.examples.map(async (e) => ({ name: e.name, input: await resolveExampleInput(e.input, model) })));
  } catch (error) {
    log.warn({ model: ref, err: error }, "the model's examples are broken; none will be run");
  }
  return { model: ref, owner, name, versionId, folder, unavailableReason, examples };
}

function catalogEntryOf(manifest: Manifest, unavailableReason: string | null): ModelCatalogEntry {
  return {
    tags: [...new Set(manifest.tags)],
    pricing: manifest.pricing === undefined ? null : { unit: manifest.pricing.unit, priceUsd: manifest.pricing.price_usd ?? null },
    memoryMb: manifest.memory_mb === undefined || manifest.memory_mb === 0 ? null : manifest.memory_mb,
    unavailableReason,
  };
}

/** The cover's URL carries a hash of its bytes, so it can be cached for long and still change with the file. */
async function coverUrl(publicUrl: string, ref: string, path: string): Promise<string> {
  const hash = createHash("sha256").update(await readFile(path)).digest("hex").slice(0, 12);
  return `${publicUrl}/v1/models/${ref}/cover?v=${hash}`;
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
