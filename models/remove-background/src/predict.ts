// ferry/remove-background: cuts the people out of a photo with MediaPipe Selfie person segmentation (through human,
// on TF.js wasm). The mask is computed on a copy at most 1024 px on its long side, then scaled up and applied to the
// photo at its full size, so the output has exactly the input's dimensions. People only: other subjects are removed.
import { z } from "zod";
import { defineModel, inputs, outputs } from "@ferry/sdk";
import type * as Kit from "@ferry/model-kit";

/** The mask is computed at this long side at most: the model itself looks at 256×256. */
const MASK_SIDE = 1024;

let kit: typeof Kit;
let human: Kit.HumanRuntime;

export default defineModel({
  input: z.object({
    image: inputs.file().describe("A photo with one or more people (PNG, JPEG, WebP, GIF, TIFF or AVIF, up to 40 megapixels)"),
    output_format: z.enum(["png", "webp"]).default("png").describe("Format of the cut-out: both keep transparency"),
    mask_only: z.boolean().default(false).describe("Return the grey mask itself (white = person) instead of the cut-out"),
  }),
  output: outputs.file(),
  async setup(ctx) {
    // Heavy imports stay out of the module's top level: the server imports it only to read the schema.
    kit = await import("@ferry/model-kit");
    human = await kit.createHuman({ modules: ["segmentation"], warmup: true });
    ctx.log(`loaded ${human.human.models.loaded().join(", ")} on ${String(human.human.tf.getBackend())}`);
  },
  async predict(input, ctx) {
    const small = await kit.decodeImage(input.image, { maxSide: MASK_SIDE });
    const started = performance.now();
    const mask = await human.segment(small);
    const { bytes, width, height } = await kit.applyMask(
      input.image,
      { data: mask, width: small.width, height: small.height },
      { format: input.output_format, maskOnly: input.mask_only },
    );
    const person = mask.reduce((sum, v) => sum + (v >= 128 ? 1 : 0), 0) / mask.length;
    ctx.log(`${width}×${height}: ${Math.round(person * 100)}% of the image is person, in ${Math.round(performance.now() - started)} ms`);
    const name = `${input.mask_only ? "mask" : "cutout"}.${input.output_format}`;
    return ctx.files.write(name, bytes, { contentType: `image/${input.output_format}` });
  },
});
