// ferry/object-detection served by the real SDK server: the default example's person and cup are found inside
// the image, min_confidence filters, a grey image has nothing, and a non-image fails clearly.
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveModel, type ModelServer, type PredictionSnapshot } from "@ferry/sdk";
import { decodeImage, encodeImage } from "@ferry/model-kit";
import model from "../src/predict.js";

const FOLDER = new URL("../", import.meta.url);
const manifest = JSON.parse(await readFile(new URL("ferry.json", FOLDER), "utf8")) as { examples: { input: { image: string } }[] };
const EXAMPLE = await readFile(new URL(manifest.examples[0]!.input.image, FOLDER));

let server: ModelServer;

function dataUri(bytes: Buffer, type: string): string {
  return `data:${type};base64,${bytes.toString("base64")}`;
}

function bytesOf(uri: string): Buffer {
  return Buffer.from(uri.split(",")[1]!, "base64");
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

async function greyPng(width: number, height: number): Promise<Buffer> {
  return encodeImage({ data: Buffer.alloc(width * height * 3, 128), width, height, channels: 3 }, "png");
}

beforeAll(async () => {
  server = await serveModel(model, { port: 0, echoLogs: false, uploadUrl: null });
  const deadline = Date.now() + 60_000;
  while (server.health().status !== "READY") {
    if (Date.now() > deadline) throw new Error("the model did not become READY");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
});
afterAll(() => server?.close());

interface Output {
  objects: { label: string; score: number; box: { x: number; y: number; width: number; height: number } }[];
  annotated_image: string;
}

describe("ferry/object-detection", () => {
  it("finds the person and the cup of the default example, boxed inside the image", async () => {
    const { width, height } = await decodeImage(EXAMPLE);
    const done = await predict({ image: dataUri(EXAMPLE, "image/jpeg") });
    expect(done.status).toBe("succeeded");
    const { objects, annotated_image } = done.output as Output;
    expect(objects.map((o) => o.label)).toEqual(expect.arrayContaining(["person", "cup"]));
    for (const o of objects) {
      expect(o.score).toBeGreaterThanOrEqual(0.3);
      expect(o.box.x + o.box.width).toBeLessThanOrEqual(width);
      expect(o.box.y + o.box.height).toBeLessThanOrEqual(height);
    }
    // The person is the large box; the cup is a small one.
    const person = objects.find((o) => o.label === "person")!;
    const cup = objects.find((o) => o.label === "cup")!;
    expect(person.box.width * person.box.height).toBeGreaterThan(4 * cup.box.width * cup.box.height);
    expect(await decodeImage(bytesOf(annotated_image))).toMatchObject({ width, height });
  });

  it("keeps only objects at or above min_confidence, and at most max_objects", async () => {
    const low = (await predict({ image: dataUri(EXAMPLE, "image/jpeg"), min_confidence: 0.1, max_objects: 50 })).output as Output;
    const high = (await predict({ image: dataUri(EXAMPLE, "image/jpeg"), min_confidence: 0.6 })).output as Output;
    expect(low.objects.length).toBeGreaterThan(high.objects.length);
    expect(high.objects.every((o) => o.score >= 0.6)).toBe(true);
    const one = (await predict({ image: dataUri(EXAMPLE, "image/jpeg"), min_confidence: 0.1, max_objects: 1 })).output as Output;
    expect(one.objects).toHaveLength(1);
  });

  it("finds nothing in a plain grey image", async () => {
    const done = await predict({ image: dataUri(await greyPng(320, 240), "image/png") });
    expect(done.status).toBe("succeeded");
    expect((done.output as Output).objects).toEqual([]);
  });

  it("fails with a clear error for a file that is not an image", async () => {
    const done = await predict({ image: dataUri(Buffer.from("just some text"), "text/plain") });
    expect(done).toMatchObject({ status: "failed", error: expect.stringMatching(/^Could not read the image/) });
  });
});
