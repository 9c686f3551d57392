// ferry/face-analysis: finds faces in a photo and estimates each one's age, gender and emotion, optionally with a
// face embedding for matching, using human's BlazeFace, FaceMesh, emotion and FaceRes models on TF.js (wasm).
import { z } from "zod";
import { defineModel, inputs, outputs } from "@ferry/sdk";
import type * as Kit from "@ferry/model-kit";

/** Larger photos are downscaled to this long side first: the detector itself looks at 256×256. */
const MAX_SIDE = 1280;

const EMOTIONS = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral", "unknown"] as const;
type Emotion = (typeof EMOTIONS)[number];

const box = z.object({
  x: z.number().describe("Left edge in pixels of the input image"),
  y: z.number().describe("Top edge in pixels"),
  width: z.number(),
  height: z.number(),
});

const face = z.object({
  box,
  score: z.number().describe("Face confidence, 0–1"),
  age: z.number().describe("Estimated age in years (rough)"),
  gender: z.enum(["male", "female", "unknown"]),
  gender_score: z.number().describe("Confidence of the gender estimate, 0–1"),
  emotion: z.object({
    label: z.enum(EMOTIONS),
    score: z.number(),
  }),
  embedding: z.array(z.number()).optional().describe("1024-number face descriptor, when return_embedding is true"),
});

let kit: typeof Kit;
let human: Kit.HumanRuntime;

export default defineModel({
  input: z.object({
    image: inputs.file().describe("A photo (PNG, JPEG, WebP, GIF, TIFF or AVIF, up to 40 megapixels)"),
    max_faces: z.number().int().min(1).max(20).default(10).describe("Report at most this many faces, the most confident first"),
    return_embedding: z.boolean().default(false).describe("Include each face's 1024-number embedding (for face matching)"),
  }),
  output: z.object({
    faces: z.array(face),
    annotated_image: outputs.file().describe("The photo with each face boxed and labelled (JPEG)"),
  }),
  async setup(ctx) {
    // Heavy imports stay out of the module's top level: the server imports it only to read the schema.
    kit = await import("@ferry/model-kit");
    human = await kit.createHuman({ modules: ["face"], warmup: true });
    ctx.log(`loaded ${human.human.models.loaded().sort().join(", ")} on ${String(human.human.tf.getBackend())}`);
  },
  async predict(input, ctx) {
    const image = await kit.decodeImage(input.image, { maxSide: MAX_SIDE });
    const started = performance.now();
    // BlazeFace looks at a square: padding keeps faces in wide or tall photos from being squashed.
    const result = await human.detect(image, { face: { detector: { maxDetected: input.max_faces } } }, { square: true });
    const found = [...result.face].sort((a, b) => b.score - a.score).slice(0, input.max_faces);
    ctx.log(`${found.length} face(s) in ${image.originalWidth}×${image.originalHeight} in ${Math.round(performance.now() - started)} ms`);

    const faces = found.map((f) => {
      const top = [...(f.emotion ?? [])].sort((a, b) => b.score - a.score)[0];
      return {
        box: kit.boxToInput(f.box, image),
        score: round(f.score),
        age: round(f.age ?? 0, 1),
        gender: f.gender ?? "unknown",
        gender_score: round(f.genderScore ?? 0),
        emotion: { label: (top?.emotion ?? "unknown") as Emotion, score: round(top?.score ?? 0) },
        ...(input.return_embedding ? { embedding: (f.embedding ?? []).map((v) => round(v, 5)) } : {}),
      };
    });
    const annotations: Kit.Annotation[] = found.map((f, i) => {
      const [x, y, width, height] = f.box;
      const emotion = faces[i]!.emotion.label;
      return { kind: "box", x, y, width, height, color: kit.paletteColor(i), label: `${faces[i]!.gender} ${Math.round(faces[i]!.age)} ${emotion}` };
    });
    const annotated = await kit.annotateImage(image, annotations);
    return { faces, annotated_image: await ctx.files.write("faces.jpg", annotated, { contentType: "image/jpeg" }) };
  },
});

function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
