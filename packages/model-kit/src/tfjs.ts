// TensorFlow.js for models, on the WebAssembly backend: tfjs-node cannot be installed offline (its install script
// downloads libtensorflow), and wasm is 5–10× faster than the pure-JS cpu backend. Model files load from disk
// through a `file://` route, because tfjs itself only knows http(s) and browser storage.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as TfModule from "@tensorflow/tfjs";
import type * as WasmModule from "@tensorflow/tfjs-backend-wasm";

/** The `@tensorflow/tfjs` namespace, ready on the wasm backend. */
export type Tf = typeof TfModule;
export type ModelArtifacts = TfModule.io.ModelArtifacts;

const require = createRequire(import.meta.url);
let loading: Promise<Tf> | null = null;

/**
 * Imports tfjs, points the wasm backend at the binaries inside the installed package (never a CDN) and selects it,
 * and registers the `file://` loader. Once per process: later calls get the same promise. Call it from a model's
 * setup(), never at module top level (the import takes a few hundred milliseconds).
 */
export function loadTfjs(): Promise<Tf> {
  loading ??= initialise().catch((error: unknown) => {
    loading = null; // a failed start may be retried by the next setup
    throw error;
  });
  return loading;
}

async function initialise(): Promise<Tf> {
  const before = processListeners();
  // Both are CommonJS bundles in Node: the namespace may arrive as the default export.
  const tfImport = (await import("@tensorflow/tfjs")) as Tf & { default?: Tf };
  const tf = tfImport.default ?? tfImport;
  const wasmImport = (await import("@tensorflow/tfjs-backend-wasm")) as typeof WasmModule & { default?: typeof WasmModule };
  const wasm = wasmImport.default ?? wasmImport;
  wasm.setWasmPaths(wasmDistFolder());
  if (!(await tf.setBackend("wasm"))) throw new Error("TensorFlow.js could not start its wasm backend");
  await tf.ready();
  // The backend's emscripten glue adds process handlers that rethrow every uncaught exception and unhandled
  // rejection, which would take the instance down instead of letting its own handlers report the error.
  removeAddedListeners(before);
  // Once per TF.js instance: with two routers for the same URL, TF.js refuses to choose between them.
  if (tf.io.getLoadHandlers("file:///probe/model.json").length === 0) tf.io.registerLoadRouter(fileRouter);
  return tf;
}

/** Routes `file://` URLs to the disk loader; tfjs asks every router and skips those that answer null. */
const fileRouter = ((url: string | string[]) => {
  const first = Array.isArray(url) ? url[0] : url;
  if (typeof first !== "string" || !first.startsWith("file://")) return null;
  return { load: () => readModelArtifacts(fileURLToPath(first)) };
}) as Parameters<Tf["io"]["registerLoadRouter"]>[0]; // the declared type leaves out the null that tfjs's own routers return

type Listener = (...args: unknown[]) => void;
type ProcessListeners = Record<"uncaughtException" | "unhandledRejection", Listener[]>;

function processListeners(): ProcessListeners {
  return {
    uncaughtException: process.listeners("uncaughtException") as Listener[],
    unhandledRejection: process.listeners("unhandledRejection") as Listener[],
  };
}

function removeAddedListeners(before: ProcessListeners): void {
  for (const listener of process.listeners("uncaughtException") as Listener[]) {
    if (!before.uncaughtException.includes(listener)) process.removeListener("uncaughtException", listener);
  }
  for (const listener of process.listeners("unhandledRejection") as Listener[]) {
    if (!before.unhandledRejection.includes(listener)) process.removeListener("unhandledRejection", listener);
  }
}

/** The folder holding the backend's .wasm files, with the trailing slash setWasmPaths wants for a prefix. */
export function wasmDistFolder(): string {
  return join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + "/";
}

/** The `file://` URL of a model.json, for tf.loadLayersModel / tf.loadGraphModel. */
export function modelFileUrl(modelJsonPath: string): string {
  return pathToFileURL(modelJsonPath).href;
}

interface ModelJson {
  modelTopology?: unknown;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  weightsManifest?: { paths: string[]; weights: TfModule.io.WeightsManifestEntry[] }[];
  trainingConfig?: unknown;
  signature?: unknown;
  userDefinedMetadata?: unknown;
  modelInitializer?: unknown;
}

/**
 * Reads a tfjs model.json and its weight shards (paths relative to the model.json) into ModelArtifacts, the shards
 * concatenated in manifest order into one ArrayBuffer as the weight specs expect.
 */
export async function readModelArtifacts(modelJsonPath: string): Promise<ModelArtifacts> {
  const json = JSON.parse(await readFile(modelJsonPath, "utf8")) as ModelJson;
  if (json.modelTopology === undefined) throw new Error(`${modelJsonPath} is not a TensorFlow.js model.json (no modelTopology)`);
  const artifacts: ModelArtifacts = { modelTopology: json.modelTopology as ModelArtifacts["modelTopology"] };
  for (const key of ["format", "generatedBy", "convertedBy", "trainingConfig", "signature", "userDefinedMetadata", "modelInitializer"] as const) {
    if (json[key] !== undefined && json[key] !== null) (artifacts as Record<string, unknown>)[key] = json[key];
  }
  if (json.weightsManifest !== undefined) {
    const folder = dirname(modelJsonPath);
    const shards = await Promise.all(json.weightsManifest.flatMap((group) => group.paths.map((path) => readFile(join(folder, path)))));
    artifacts.weightSpecs = json.weightsManifest.flatMap((group) => group.weights);
    artifacts.weightData = concatBytes(shards);
  }
  return artifacts;
}

/** One ArrayBuffer holding every chunk back to back (a Buffer's own ArrayBuffer may be a shared pool slab). */
export function concatBytes(chunks: readonly Uint8Array[]): ArrayBuffer {
  const total = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out.buffer;
}
