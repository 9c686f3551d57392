// The TensorFlow.js loader: wasm backend from the installed package, and models read back from file:// URLs
// with their weights split over several shards.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTfjs, modelFileUrl, readModelArtifacts, type Tf } from "../src/index.js";

let tf: Tf;
let folder: string;
const handlersBefore = [process.listeners("uncaughtException"), process.listeners("unhandledRejection")];

beforeAll(async () => {
  tf = await loadTfjs();
  folder = await mkdtemp(join(tmpdir(), "ferry-tfjs-"));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** Saves a small dense model as model.json plus two weight shards, the way converted models ship. */
async function saveTwoShardModel(tfjs: Tf, dir: string): Promise<TfModel> {
  const model = tfjs.sequential({ layers: [tfjs.layers.dense({
        units: 3,
        inputShape: [4],
        activation: "relu",
        // Positive weights and a positive input keep the ReLU open, so the output is never all zeros by chance.
        kernelInitializer: tfjs.initializers.randomUniform({ minval: 0.1, maxval: 1 }),
      }), tfjs.layers.dense({ units: 2 })] });
  await model.save(
    tfjs.io.withSaveHandler(async (artifacts) => {
      const bytes = new Uint8Array(artifacts.weightData as ArrayBuffer);
      const half = Math.floor(bytes.length / 2);
      await writeFile(join(dir, "shard1.bin"), bytes.subarray(0, half));
      await writeFile(join(dir, "shard2.bin"), bytes.subarray(half));
      const json = {
        modelTopology: artifacts.modelTopology,
        format: "layers-model",
        weightsManifest: [{ paths: ["shard1.bin", "shard2.bin"], weights: artifacts.weightSpecs }],
      };
      await writeFile(join(dir, "model.json"), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  return model;
}
type TfModel = ReturnType<Tf["sequential"]>;

describe("loadTfjs", () => {
  it("runs on the wasm backend and gives the same namespace to every caller", async () => {
    expect(tf.getBackend()).toBe("wasm");
    expect(await loadTfjs()).toBe(tf);
    const sum = tf.tensor1d([1, 2, 3]).sum();
    expect(await sum.data()).toEqual(new Float32Array([6]));
  });

  it("leaves the process's uncaughtException and unhandledRejection handlers as they were", () => {
    // The wasm glue adds handlers that rethrow, which would crash an instance instead of reporting the error.
    expect([process.listeners("uncaughtException"), process.listeners("unhandledRejection")]).toEqual(handlersBefore);
  });

  it("loads a layers model from a file:// URL, concatenating its weight shards in manifest order", async () => {
    const original = await saveTwoShardModel(tf, folder);
    const loaded = await tf.loadLayersModel(modelFileUrl(join(folder, "model.json")));
    const input = tf.tensor2d([[0.5, 1, 2, 0.25]]);
    const expected = await (original.predict(input) as ReturnType<Tf["tensor"]>).data();
    const actual = await (loaded.predict(input) as ReturnType<Tf["tensor"]>).data();
    expect(Array.from(actual)).toEqual(Array.from(expected));
    expect(Array.from(expected).some((v) => v !== 0)).toBe(true);
  });

  it("refuses a JSON file that is not a model", async () => {
    const path = join(folder, "not-a-model.json");
    await writeFile(path, JSON.stringify({ hello: "world" }));
    await expect(readModelArtifacts(path)).rejects.toThrow(/no modelTopology/);
  });
});
