// ferry/object-detection: finds objects of the 80 COCO classes in a photo with CenterNet (through human, on TF.js
// wasm) and draws each box with its label over the photo.
import { z } from "zod";
import { defineModel, inputs, outputs } from "@ferry/sdk";
import type * as Kit from "@ferry/model-kit";

/** Larger photos are downscaled to this long side first: CenterNet itself looks at 512×512. */
const MAX_SIDE = 1280;

const box = z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() }).describe("In pixels of the input image");

let kit: typeof Kit;
let human: Kit.HumanRuntime;

export default defineModel({
  input: z.object({
    image: inputs.file().describe("A photo (PNG, JPEG, WebP, GIF, TIFF or AVIF, up to 40 megapixels)"),
    min_confidence: z.number().min(0.05).max(1).default(0.3).describe("Leave out objects scored below this (0–1)"),
    max_objects: z.number().int().min(1).max(100).default(20).describe("Report at most this many objects, the most confident first"),
  }),
  output: z.object({
    objects: z.array(z.object({ label: z.string().describe("One of the 80 COCO classes"), score: z.number(), box })),
    annotated_image: outputs.file().describe("The photo with each object boxed and labelled (JPEG)"),
  }),
  async setup(ctx) {
    // Heavy imports stay out of the module's top level: the server imports it only to read the schema.
    kit = await import("@ferry/model-kit");
    human = await kit.createHuman({ modules: ["object"], warmup: true });
    ctx.log(`loaded ${human.human.models.loaded().join(", ")} on ${String(human.human.tf.getBackend())}`);
  },
  async predict(input, ctx) {
    const image = await kit.decodeImage(input.image, { maxSide: MAX_SIDE });
    const started = performance.now();
    const result = await human.detect(image, { object: { minConfidence: input.min_confidence, maxDetected: input.max_objects } });
    const found = result.object
      .filter((o) => o.score >= input.min_confidence)
      .sort((a, b) => b.score - a.score)
      .slice(0, input.max_objects);
    ctx.log(`${found.length} object(s) in ${image.originalWidth}×${image.originalHeight} in ${Math.round(performance.now() - started)} ms`);

    const objects = found.map((o) => ({ label: o.label as string, score: Math.round(o.score * 1000) / 1000, box: kit.boxToInput(o.box, image) }));
    const annotations: Kit.Annotation[] = found.map((o) => {
      const [x, y, width, height] = o.box;
      return { kind: "box", x, y, width, height, color: kit.paletteColor(o.class), label: `${o.label} ${Math.round(o.score * 100)}%` };
    });
    const annotated = await kit.annotateImage(image, annotations);
    return { objects, annotated_image: await ctx.files.write("objects.jpg", annotated, { contentType: "image/jpeg" }) };
  },
});
