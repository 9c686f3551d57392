// ferry/remove-background served by the real SDK server: the default example comes back the same size with
// transparent corners and an opaque person in the middle, as WebP too, the mask alone on request, and a non-image
// fails clearly.
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveModel, type ModelServer, type PredictionSnapshot } from "@ferry/sdk";
import { decodeImage, encodeImage, readImageAsIs } from "@ferry/model-kit";
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

/** Nearest-neighbour enlargement of raw RGB by a whole factor. */
function upscale(image: { data: Buffer; width: number; height: number }, factor: number) {
  const width = image.width * factor;
  const height = image.height * factor;
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      image.data.copy(data, (y * width + x) * 3, (Math.floor(y / factor) * image.width + Math.floor(x / factor)) * 3, (Math.floor(y / factor) * image.width + Math.floor(x / factor)) * 3 + 3);
    }
  }
  return { data, width, height, channels: 3 as const };
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

describe("ferry/remove-background", () => {
  it("returns a PNG of the input's size, transparent in the corners and opaque on the person", async () => {
    const { width, height } = await decodeImage(EXAMPLE);
    const done = await predict({ image: dataUri(EXAMPLE, "image/jpeg") });
    expect(done.status).toBe("succeeded");
    expect(done.output).toMatch(/^data:image\/png;base64,/);
    const { data, ...info } = await readImageAsIs(bytesOf(done.output as string));
    expect(info).toMatchObject({ format: "png", width, height, channels: 4 });
    const alpha = (x: number, y: number) => data[(y * width + x) * 4 + 3]!;
    expect(Math.max(alpha(2, 2), alpha(width - 3, 2))).toBeLessThan(30);
    expect(alpha(Math.floor(width / 2), Math.floor(height * 0.6))).toBeGreaterThan(220);
  });

  it("writes WebP with transparency when asked", async () => {
    const done = await predict({ image: dataUri(EXAMPLE, "image/jpeg"), output_format: "webp" });
    expect(done.output).toMatch(/^data:image\/webp;base64,/);
    expect(await readImageAsIs(bytesOf(done.output as string))).toMatchObject({ format: "webp", hasAlpha: true });
  });

  it("returns the mask alone with mask_only: white on the person, black in the corners", async () => {
    const { width, height } = await decodeImage(EXAMPLE);
    const done = await predict({ image: dataUri(EXAMPLE, "image/jpeg"), mask_only: true });
    const { data: mask, ...info } = await readImageAsIs(bytesOf(done.output as string));
    expect(info).toMatchObject({ format: "png", width, height, channels: 1 });
    expect(mask[2 * width + 2]).toBeLessThan(30);
    expect(mask[Math.floor(height * 0.6) * width + Math.floor(width / 2)]).toBeGreaterThan(220);
  });

  it("keeps a large photo's full size although the mask is computed smaller", async () => {
    // A 1960×2038 photo made from the example (nearest neighbour keeps it a photo of the same person).
    const small = await decodeImage(EXAMPLE);
    const big = await encodeImage(upscale(small, 5), "jpeg");
    const done = await predict({ image: dataUri(big, "image/jpeg") });
    expect(await readImageAsIs(bytesOf(done.output as string))).toMatchObject({ width: small.width * 5, height: small.height * 5, hasAlpha: true });
  });

  it("fails with a clear error for a file that is not an image", async () => {
    const done = await predict({ image: dataUri(Buffer.from("just some text"), "text/plain") });
    expect(done).toMatchObject({ status: "failed", error: expect.stringMatching(/^Could not read the image/) });
  });
});
