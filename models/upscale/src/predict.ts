// ferry/upscale: ×2 or ×4 super-resolution with UpscalerJS's ESRGAN-slim models (RDN architecture, trained on
// DIV2K) on TensorFlow.js with the WebAssembly backend, tiled so memory stays bounded.
import { z } from "zod";
import type { Tf } from "@ferry/model-kit";
import { defineModel, inputs, outputs } from "@ferry/sdk";
import type { EsrganModel, Scale } from "./esrgan-models.js";
import { decodeImage, encodePng } from "./image-io.js";
import { upscaleTiled } from "./tiles.js";

let tf: Tf | null = null;
const models = new Map<Scale, EsrganModel>();

export default defineModel({
  input: z.object({
    image: inputs.file().describe("The image to enlarge: PNG, JPEG, WebP, GIF (first frame) or TIFF, at most 512×512 pixels in area"),
    scale: z
      .union([z.literal(2), z.literal(4)])
      .default(4)
      .describe("How many times wider and taller the output is: 2 or 4"),
  }),
  output: outputs.file(),
  async setup(ctx) {
    const { loadTfjs } = await import("@ferry/model-kit");
    const { loadEsrgan } = await import("./esrgan-models.js");
    tf = await loadTfjs();
    for (const scale of [2, 4] as const) models.set(scale, await loadEsrgan(tf, scale));
    ctx.log(`ESRGAN-slim ×2 and ×4 ready on TensorFlow.js ${tf.getBackend()}`);
  },
  async predict(input, ctx) {
    const esrgan = models.get(input.scale);
    if (!tf || !esrgan) throw new Error("ferry/upscale: setup has not run");
    const image = await decodeImage(input.image);
    const started = performance.now();
    const upscaled = await upscaleTiled(tf, esrgan, image, ctx.signal);
    ctx.log(`upscaled ${image.width}×${image.height} to ${upscaled.width}×${upscaled.height} in ${Math.round(performance.now() - started)} ms`);
    const png = await encodePng(upscaled, image.alpha && { data: image.alpha, width: image.width, height: image.height });
    return ctx.files.write("upscaled.png", png, { contentType: "image/png" });
  },
});
