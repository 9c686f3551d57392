// The human loader on the real models: loads every module from installed packages with the network refused,
// finds faces, bodies and objects in a real photo and none in a plain grey image, and segments a person.
import http from "node:http";
import https from "node:https";
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHuman, decodeImage, humanModelsDir, tfjsWasmDir, type HumanRuntime, type RgbImage } from "@ferry/model-kit";

/** The grid of sample photos that ships with @vladmandic/human (MIT). Its top row holds small, clean photos. */
const SAMPLES = join(dirname(createRequire(import.meta.url).resolve("@vladmandic/human")), "..", "assets", "samples.jpg");

/** One photo of the top row, enlarged 2.5× as the model examples are. */
async function sample(left: number, width: number): Promise<RgbImage> {
  const bytes = await sharp(SAMPLES).extract({ left, top: 1, width, height: 157 }).resize({ height: 392 }).jpeg().toBuffer();
  return decodeImage(bytes);
}

const networkAttempts: string[] = [];
const saved = { fetch: globalThis.fetch, httpRequest: http.request, httpsRequest: https.request, httpGet: http.get, httpsGet: https.get };
let runtime: HumanRuntime;
let portrait: RgbImage;
let diner: RgbImage;
let grey: RgbImage;

beforeAll(async () => {
  // Every way a library could reach the network records the attempt and fails; file: URLs are local reads.
  globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url.startsWith("file:")) return saved.fetch(input, init);
    networkAttempts.push(url);
    return Promise.reject(new Error(`network refused in test: ${url}`));
  }) as typeof fetch;
  const refuse = (scheme: string) =>
    ((...args: unknown[]) => {
      networkAttempts.push(`${scheme}: ${String(args[0] instanceof URL ? args[0].href : JSON.stringify(args[0]))}`);
      throw new Error("network refused in test");
    }) as never;
  http.request = refuse("http");
  http.get = refuse("http");
  https.request = refuse("https");
  https.get = refuse("https");

  runtime = await createHuman({ modules: ["face", "body", "object", "segmentation"], warmup: true });
  portrait = await sample(166, 151); // a woman, head and shoulders
  diner = await sample(326, 210); // a man at a table with a glass and a plate
  grey = await decodeImage(await sharp({ create: { width: 400, height: 300, channels: 3, background: "#808080" } }).png().toBuffer());
});

afterAll(() => {
  globalThis.fetch = saved.fetch;
  http.request = saved.httpRequest;
  http.get = saved.httpGet;
  https.request = saved.httpsRequest;
  https.get = saved.httpsGet;
});

describe("createHuman", () => {
  it("loads every requested model from the installed packages on the wasm backend, without the network", () => {
    expect(runtime.human.tf.getBackend()).toBe("wasm");
    expect(runtime.human.models.loaded().sort()).toEqual(["blazeface", "centernet", "emotion", "facemesh", "faceres", "movenet", "selfie"]);
    expect(networkAttempts).toEqual([]);
  });

  it("reads the wasm binaries and the model files from node_modules", () => {
    expect(existsSync(join(tfjsWasmDir(), "tfjs-backend-wasm-simd.wasm"))).toBe(true);
    expect(existsSync(join(humanModelsDir(), "movenet-multipose.json"))).toBe(true);
    expect(runtime.human.config.wasmPath).toBe(tfjsWasmDir());
    expect(runtime.human.config.modelBasePath).toMatch(/^file:\/\/.*\/@vladmandic\/human-models\/models\/$/);
  });

  it("finds the face, body and person in a photo, with age, gender, emotion and a 1024-number embedding", async () => {
    const result = await runtime.detect(diner);
    expect(result.face.length).toBeGreaterThanOrEqual(1);
    const face = result.face[0]!;
    expect(face.score).toBeGreaterThan(0.5);
    expect(face.age).toBeGreaterThan(10);
    expect(["male", "female", "unknown"]).toContain(face.gender);
    expect(face.emotion?.[0]?.emotion).toEqual(expect.any(String));
    expect(face.embedding).toHaveLength(1024);
    expect(result.body.length).toBeGreaterThanOrEqual(1);
    // MoveNet's 17 parts, less those below the confidence threshold (the legs are under the table here).
    const parts = result.body[0]!.keypoints.map((k) => k.part);
    expect(parts.length).toBeGreaterThanOrEqual(5);
    expect(parts).toEqual(expect.arrayContaining(["nose", "leftShoulder", "rightShoulder"]));
    expect(result.object.map((o) => o.label)).toContain("person");
    expect(networkAttempts).toEqual([]);
  });

  it("finds nothing in a plain grey image", async () => {
    const result = await runtime.detect(grey);
    expect(result.face).toEqual([]);
    expect(result.object).toEqual([]);
  });

  it("gives each detection its own answer: a second image is not served from the first one's cache", async () => {
    expect((await runtime.detect(diner)).face.length).toBeGreaterThanOrEqual(1);
    expect((await runtime.detect(grey)).face).toEqual([]);
  });

  it("segments a person: a mask of the image's size, background in the corners and person in the middle", async () => {
    const mask = await runtime.segment(portrait);
    expect(mask).toHaveLength(portrait.width * portrait.height);
    const at = (x: number, y: number) => mask[y * portrait.width + x]!;
    expect(Math.max(at(2, 2), at(portrait.width - 3, 2))).toBeLessThan(40);
    expect(at(Math.floor(portrait.width / 2), Math.floor(portrait.height * 0.6))).toBeGreaterThan(200);
    expect(networkAttempts).toEqual([]);
  });

  it("refuses to segment with an instance that did not load segmentation", async () => {
    const bodyOnly = await createHuman({ modules: ["body"] });
    await expect(bodyOnly.segment(grey)).rejects.toThrow("segmentation is not enabled");
  });
});
