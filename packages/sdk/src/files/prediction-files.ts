// The files of one prediction: its file inputs downloaded into a folder of its own (predict gets local paths),
// ctx.files for writing outputs, output paths published as URLs (uploaded, or data: URIs), and the folder
// deleted when the prediction is over.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { JsonSchema } from "../openapi/zod-json.js";
import { downloadInput, safeName } from "./download.js";
import { containsFiles, fileInputNames, mapFiles } from "./file-schemas.js";
import { contentTypeFor } from "./mime.js";
import { publishFile } from "./upload.js";

/** What predict can do with files: `ctx.files`. */
export interface PredictFiles {
  /**
   * Writes `data` to a new file called `name` in this prediction's own folder (deleted when it ends) and returns
   * its path: return or yield that path for an `outputs.file()` output. `contentType` overrides the guess from `name`.
   */
  write(name: string, data: Uint8Array | string, options?: { contentType?: string }): Promise<string>;
  /** The content type of a file: as its input download or write() gave it, else guessed from its extension. */
  contentType(path: string): string;
}

/** How an instance handles files (ServeOptions: uploadUrl, maxInputBytes, inputTimeoutMs). */
export interface FileSettings {
  uploadUrl: string | null;
  maxInputBytes: number;
  inputTimeoutMs: number;
}

/** Where a model's files are, read once from its schema. */
export interface ModelFiles {
  settings: FileSettings;
  inputs: string[];
  /** The Output schema when it holds files, else null (outputs are then passed through untouched). */
  output: JsonSchema | null;
  /** The item schema of an iterator output that holds files, else null. */
  item: JsonSchema | null;
}

export function modelFiles(openapi: Record<string, unknown>, settings: FileSettings): ModelFiles {
  const schemas = ((openapi["components"] as { schemas?: Record<string, JsonSchema> } | undefined)?.schemas ?? {}) as Record<string, JsonSchema>;
  const output = schemas["Output"] ?? null;
  const item = output?.["x-cog-array-type"] === "iterator" ? output["items"] : undefined;
  return {
    settings,
    inputs: schemas["Input"] === undefined ? [] : fileInputNames(schemas["Input"]),
    output: containsFiles(output) ? output : null,
    item: containsFiles(item) ? (item as JsonSchema) : null,
  };
}

export interface PredictionFiles {
  readonly api: PredictFiles;
  /** Whether outputs (whole, or iterator items) hold files at all: when not, output() and item() need no call. */
  readonly outputsFiles: boolean;
  /** The input predict gets: every file input downloaded, its URL replaced by the local path. */
  inputFor(input: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** A whole (non-iterator) output with its file paths replaced by URLs. */
  output(value: unknown): Promise<unknown>;
  /** One iterator item with its file paths replaced by URLs. */
  item(value: unknown): Promise<unknown>;
  /** Deletes the prediction's folder. Never rejects. */
  cleanup(): Promise<void>;
}

const IS_URL = /^(https?:|data:)/i;

export function createPredictionFiles(model: ModelFiles, predictionId: string, signal: AbortSignal): PredictionFiles {
  const types = new Map<string, string>();
  let folder: Promise<string> | null = null;
  let count = 0;
  /** A fresh sub-folder, so two files of the same name never collide. */
  const subfolder = async (): Promise<string> => {
    folder ??= mkdtemp(join(tmpdir(), "ferry-prediction-"));
    const dir = join(await folder, String(count++));
    await mkdir(dir);
    return dir;
  };
  const contentType = (path: string) => types.get(resolve(path)) ?? contentTypeFor(path);
  const publish = (file: string): Promise<string> =>
    IS_URL.test(file) ? Promise.resolve(file) : publishFile(resolve(file), contentType(file), { uploadUrl: model.settings.uploadUrl, predictionId });
  const limits = { maxBytes: model.settings.maxInputBytes, timeoutMs: model.settings.inputTimeoutMs, signal };
  const download = async (url: string): Promise<string> => {
    const file = await downloadInput(url, await subfolder(), limits);
    types.set(resolve(file.path), file.contentType);
    return file.path;
  };

  return {
    api: {
      async write(name, data, options) {
        const path = join(await subfolder(), safeName(name) || "output");
        await writeFile(path, data);
        if (options?.contentType !== undefined) types.set(resolve(path), options.contentType);
        return path;
      },
      contentType,
    },
    outputsFiles: model.output !== null || model.item !== null,
    async inputFor(input) {
      if (model.inputs.length === 0) return input;
      const out = { ...input };
      await Promise.all(
        model.inputs.map(async (name) => {
          const value = out[name];
          if (typeof value === "string") out[name] = await download(value);
          else if (Array.isArray(value)) out[name] = await Promise.all(value.map((item) => (typeof item === "string" ? download(item) : item)));
        }),
      );
      return out;
    },
    output: (value) => (model.output === null ? Promise.resolve(value) : mapFiles(value, model.output, publish)),
    item: (value) => (model.item === null ? Promise.resolve(value) : mapFiles(value, model.item, publish)),
    async cleanup() {
      if (folder === null) return;
      await folder.then((dir) => rm(dir, { recursive: true, force: true })).catch(() => undefined);
    },
  };
}
