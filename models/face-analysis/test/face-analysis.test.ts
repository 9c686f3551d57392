// ferry/face-analysis served by the real SDK server: the default example's five faces are found with boxes inside
// the image, a plain grey image has none, embeddings come only when asked, and a non-image fails clearly.
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveModel, type ModelServer, type PredictionSnapshot } from "@ferry/sdk";
import { decodeImage } from "@ferry/model-kit";
import model from "../src/predict.js";

const FOLDER = new URL("../", import.meta.url);
const manifest = JSON.parse(await readFile(new URL("ferry.json", FOLDER), "utf8")) as { examples: { input: { image: string } }[] };
const EXAMPLE = manifest.examples[0]!.input.image;

interface Face {
  box: { x: number; y: number; width: number; height: number };
  score: number;
  age: number;
  gender: string;
  gender_score: number;
  emotion: { label: string; score: number };
  embedding?: number[];
}
interface Output {
  faces: Face[];
  annotated_image: string;
}

let server: ModelServer;

async function dataUri(bytes: Buffer, type: string): Promise<string> {
  return `data:${type};base64,${bytes.toString("base64")}`;
}

async function predict(input: Record<string, unknown>): Promise<PredictionSnapshot> {
  const res = await fetch(`http://127.0.0.1:${server.port}/predictions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ input }),
    signal: AbortSignal.timeout(60_000),
  });
  return (await res.json()) as PredictionSnapshot;
}

beforeAll(async () => {
  server = await serveModel(model, { port: 0, echoLogs: false, uploadUrl: null });
  const deadline = Date.now() + 60_000;
  while (server.health().status !== "READY") {
    if (Date.now() > deadline) throw new Error("face-analysis did not become READY");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
});
afterAll(() => server?.close());

describe("ferry/face-analysis", () => {
  it("finds the five faces of the default example, boxed inside the image and left to right distinct", async () => {
    const bytes = await readFile(new URL(EXAMPLE, FOLDER));
    const { width, height } = await decodeImage(bytes);
    const done = await predict({ image: await dataUri(bytes, "image/jpeg") });
    expect(done.status).toBe("succeeded");
    const output = done.output as Output;
    expect(output.faces).toHaveLength(5);
    for (const face of output.faces) {
      expect(face.score).toBeGreaterThan(0.5);
      expect(face.box.x).toBeGreaterThanOrEqual(0);
      expect(face.box.x + face.box.width).toBeLessThanOrEqual(width);
      expect(face.box.y + face.box.height).toBeLessThanOrEqual(height);
      expect(face.box.width).toBeGreaterThan(50);
      expect(face.age).toBeGreaterThan(10);
      expect(face.embedding).toBeUndefined();
    }
    // One face per photo of the strip: no two boxes start in the same 160-pixel column.
    expect(new Set(output.faces.map((f) => Math.floor((f.box.x + f.box.width / 2) / 160))).size).toBe(5);
    // The one man (leftmost photo) is told apart from the four women.
    const leftmost = [...output.faces].sort((a, b) => a.box.x - b.box.x)[0]!;
    expect(leftmost.gender).toBe("male");
    const annotated = await decodeImage(Buffer.from(output.annotated_image.split(",")[1]!, "base64"));
    expect(output.annotated_image).toMatch(/^data:image\/jpeg;base64,/);
    expect(annotated).toMatchObject({ width, height });
  });

  it("returns 1024-number embeddings only when asked, and honours max_faces", async () => {
    const bytes = await readFile(new URL(EXAMPLE, FOLDER));
    const done = await predict({ image: await dataUri(bytes, "image/jpeg"), max_faces: 2, return_embedding: true });
    const output = done.output as Output;
    expect(output.faces).toHaveLength(2);
    expect(output.faces[0]!.embedding).toHaveLength(1024);
  });

  it("finds no face in a plain grey image", async () => {
    const { encodeImage } = await import("@ferry/model-kit");
    const grey = await encodeImage({ data: Buffer.alloc(320 * 240 * 3, 128), width: 320, height: 240, channels: 3 }, "png");
    const done = await predict({ image: await dataUri(grey, "image/png") });
    expect(done.status).toBe("succeeded");
    expect((done.output as Output).faces).toEqual([]);
  });

  it("fails with a clear error for a file that is not an image", async () => {
    const done = await predict({ image: await dataUri(Buffer.from("just some text"), "text/plain") });
    expect(done.status).toBe("failed");
    expect(done.error).toMatch(/^Could not read the image/);
  });

  it("rejects max_faces out of range before running", async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/predictions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ input: { image: "data:image/png;base64,AA==", max_faces: 21 } }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ detail: [{ loc: ["body", "input", "max_faces"] }] });
  });
});
