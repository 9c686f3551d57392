// ferry/nsfw-detector: content classification into five classes (Drawing, Hentai, Neutral, Porn, Sexy) with
// nsfwjs 4.3.0's MobileNetV2, bundled inside the npm package, on TensorFlow.js with the WebAssembly backend.
import { z } from "zod";
import type { Tf } from "@ferry/model-kit";
import { defineModel, inputs } from "@ferry/sdk";
import type { NSFWJS } from "nsfwjs";
import { bundledModelFolder, readBundledModel } from "./bundled-model.js";
import { MODEL_SIZE, readModelPixels } from "./classify-image.js";

const LABELS = ["Drawing", "Hentai", "Neutral", "Porn", "Sexy"] as const;
/** The classes whose probabilities add up to the `nsfw` verdict. */
const UNSAFE: readonly string[] = ["Porn", "Hentai", "Sexy"];

let classifier: NSFWJS | null = null;
let tf: Tf | null = null;

export default defineModel({
  input: z.object({
    image: inputs.file().describe("The image to classify: PNG, JPEG, WebP, GIF (first frame) or TIFF, at most 40 megapixels"),
    threshold: z
      .number()
      .min(0)
      .max(1)
      .default(0.7)
      .describe("nsfw is true when Porn + Hentai + Sexy together reach this probability"),
  }),
  output: z.object({
    predictions: z.array(z.object({ label: z.enum(LABELS), probability: z.number() })),
    nsfw: z.boolean(),
  }),
  async setup(ctx) {
    const { loadTfjs } = await import("@ferry/model-kit");
    tf = await loadTfjs();
    const { load } = await import("nsfwjs/core");
    const artifacts = await readBundledModel(bundledModelFolder("mobilenet_v2"));
    // An IOHandler instead of a model name or URL: nsfwjs then loads exactly these artifacts, offline.
    const handler = { load: () => Promise.resolve(artifacts) };
    classifier = await load(handler as unknown as string, { size: MODEL_SIZE });
    ctx.log(`nsfwjs MobileNetV2 ready on TensorFlow.js ${tf.getBackend()}`);
  },
  async predict(input) {
    if (!classifier || !tf) throw new Error("ferry/nsfw-detector: setup has not run");
    const pixels = await readModelPixels(input.image);
    const image = tf.tensor3d(pixels, [MODEL_SIZE, MODEL_SIZE, 3], "int32");
    try {
      const classes = await classifier.classify(image, LABELS.length);
      const predictions = classes
        .map((c) => ({ label: c.className, probability: Math.round(c.probability * 10_000) / 10_000 }))
        .sort((a, b) => b.probability - a.probability);
      const unsafe = classes.filter((c) => UNSAFE.includes(c.className)).reduce((sum, c) => sum + c.probability, 0);
      return { predictions, nsfw: unsafe >= input.threshold };
    } finally {
      image.dispose();
    }
  },
});
