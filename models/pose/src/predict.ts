// ferry/pose: finds up to six people in a photo and their 17 body keypoints with MoveNet MultiPose (through human,
// on TF.js wasm), and draws each skeleton over the photo.
import { z } from "zod";
import { defineModel, inputs, outputs } from "@ferry/sdk";
import type * as Kit from "@ferry/model-kit";

/** Larger photos are downscaled to this long side first: MoveNet itself looks at 256×256. */
const MAX_SIDE = 1280;
/** Keypoints below this are left out of the drawing (they are still reported). */
const DRAW_MIN_SCORE = 0.3;

/** MoveNet's 17 parts, in its order. */
const PARTS = [
  "nose", "leftEye", "rightEye", "leftEar", "rightEar", "leftShoulder", "rightShoulder", "leftElbow", "rightElbow",
  "leftWrist", "rightWrist", "leftHip", "rightHip", "leftKnee", "rightKnee", "leftAnkle", "rightAnkle",
] as const;

/** Pairs of parts joined in the drawn skeleton. */
const BONES: [string, string][] = [
  ["leftEar", "leftEye"], ["leftEye", "nose"], ["nose", "rightEye"], ["rightEye", "rightEar"],
  ["leftShoulder", "rightShoulder"], ["leftShoulder", "leftElbow"], ["leftElbow", "leftWrist"],
  ["rightShoulder", "rightElbow"], ["rightElbow", "rightWrist"], ["leftShoulder", "leftHip"], ["rightShoulder", "rightHip"],
  ["leftHip", "rightHip"], ["leftHip", "leftKnee"], ["leftKnee", "leftAnkle"], ["rightHip", "rightKnee"], ["rightKnee", "rightAnkle"],
];

const box = z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() }).describe("In pixels of the input image");
const keypoint = z.object({
  part: z.enum(PARTS),
  x: z.number().describe("In pixels of the input image"),
  y: z.number(),
  score: z.number().describe("Confidence, 0–1"),
});

let kit: typeof Kit;
let human: Kit.HumanRuntime;

export default defineModel({
  input: z.object({
    image: inputs.file().describe("A photo (PNG, JPEG, WebP, GIF, TIFF or AVIF, up to 40 megapixels)"),
    max_people: z.number().int().min(1).max(6).default(6).describe("Report at most this many people, the most confident first"),
  }),
  output: z.object({
    people: z.array(z.object({ box, score: z.number().describe("Person confidence, 0–1"), keypoints: z.array(keypoint) })),
    annotated_image: outputs.file().describe("The photo with each person's skeleton drawn (JPEG)"),
  }),
  async setup(ctx) {
    // Heavy imports stay out of the module's top level: the server imports it only to read the schema.
    kit = await import("@ferry/model-kit");
    human = await kit.createHuman({ modules: ["body"], warmup: true });
    ctx.log(`loaded ${human.human.models.loaded().join(", ")} on ${String(human.human.tf.getBackend())}`);
  },
  async predict(input, ctx) {
    const image = await kit.decodeImage(input.image, { maxSide: MAX_SIDE });
    const started = performance.now();
    const result = await human.detect(image, { body: { maxDetected: input.max_people } });
    const bodies = [...result.body].sort((a, b) => b.score - a.score).slice(0, input.max_people);
    ctx.log(`${bodies.length} people in ${image.originalWidth}×${image.originalHeight} in ${Math.round(performance.now() - started)} ms`);

    const people = bodies.map((body) => ({
      box: kit.boxToInput(body.box, image),
      score: round(body.score),
      keypoints: body.keypoints
        .filter((k): k is typeof k & { part: (typeof PARTS)[number] } => (PARTS as readonly string[]).includes(k.part))
        .map((k) => ({ part: k.part, ...kit.pointToInput(k.position[0], k.position[1], image), score: round(k.score) })),
    }));
    const annotations: Kit.Annotation[] = [];
    bodies.forEach((body, i) => {
      const color = kit.paletteColor(i);
      const seen = new Map(body.keypoints.filter((k) => k.score >= DRAW_MIN_SCORE).map((k) => [k.part as string, k.position]));
      for (const [from, to] of BONES) {
        const a = seen.get(from);
        const b = seen.get(to);
        if (a && b) annotations.push({ kind: "line", x1: a[0], y1: a[1], x2: b[0], y2: b[1], color });
      }
      for (const [, [x, y]] of seen) annotations.push({ kind: "point", x, y, color });
    });
    const annotated = await kit.annotateImage(image, annotations);
    return { people, annotated_image: await ctx.files.write("pose.jpg", annotated, { contentType: "image/jpeg" }) };
  },
});

function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
