// nsfwjs 4.3.0 ships its MobileNetV2 inside the package as two browserify bundles (model.min.js: the model.json
// object; group1-shard1of1.min.js: the weights as one base64 string). nsfwjs decodes that string one character at
// a time (about 3.5 s here); reading it with Buffer takes well under 100 ms, so this module builds the
// ModelArtifacts itself and hands them to nsfwjs as an IOHandler.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import vm from "node:vm";
import type { ModelArtifacts } from "@ferry/model-kit";

interface WeightEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string };
}
interface BundledModelJson {
  modelTopology: ModelArtifacts["modelTopology"];
  format?: string;
  weightsManifest: { paths: string[]; weights: WeightEntry[] }[];
}

const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, float16: 2, uint16: 2, uint8: 1, bool: 1 };

/** The folder of the bundled model inside the installed nsfwjs package (e.g. "mobilenet_v2"). */
export function bundledModelFolder(name: string): string {
  // nsfwjs's exports map hides package.json; its CommonJS entry is dist/cjs/index.js, next to dist/models.
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("nsfwjs")), "..", "models", name);
}

export async function readBundledModel(folder: string): Promise<ModelArtifacts> {
  const json = (await evaluateBundle(join(folder, "model.min.js"))) as BundledModelJson;
  const shards: Buffer[] = [];
  for (const group of json.weightsManifest) {
    for (const path of group.paths) shards.push(await readBase64Bundle(join(folder, `${path}.min.js`)));
  }
  const weightSpecs = json.weightsManifest.flatMap((group) => group.weights);
  const expected = weightSpecs.reduce((sum, w) => sum + w.shape.reduce((n, d) => n * d, 1) * bytesPerElement(w), 0);
  const actual = shards.reduce((sum, shard) => sum + shard.length, 0);
  if (actual !== expected) throw new Error(`nsfwjs weights in ${folder} hold ${actual} bytes, the manifest expects ${expected}`);
  const weightData = new Uint8Array(actual);
  let offset = 0;
  for (const shard of shards) {
    weightData.set(shard, offset);
    offset += shard.length;
  }
  return { modelTopology: json.modelTopology, format: json.format ?? "layers-model", weightSpecs: weightSpecs as ModelArtifacts["weightSpecs"], weightData: weightData.buffer };
}

function bytesPerElement(weight: WeightEntry): number {
  const dtype = weight.quantization?.dtype ?? weight.dtype;
  const bytes = BYTES_PER_ELEMENT[dtype];
  if (bytes === undefined) throw new Error(`nsfwjs weight ${weight.name} has an unknown dtype ${dtype}`);
  return bytes;
}

/**
 * Runs a small browserify UMD bundle in an empty context and returns its module.exports, copied through JSON into
 * this realm: tfjs checks `instanceof Array`, which objects built in another context fail.
 */
async function evaluateBundle(path: string): Promise<unknown> {
  const module = { exports: {} as unknown };
  vm.runInNewContext(await readFile(path, "utf8"), { module, exports: module.exports }, { filename: path });
  return JSON.parse(JSON.stringify(module.exports)) as unknown;
}

/** The one long base64 string literal a weight bundle exports, decoded. */
async function readBase64Bundle(path: string): Promise<Buffer> {
  const source = await readFile(path, "latin1");
  const literal = /"([A-Za-z0-9+/]{1024,}={0,2})"/.exec(source);
  if (!literal?.[1]) throw new Error(`${path} does not hold a base64 weight bundle`);
  return Buffer.from(literal[1], "base64");
}
