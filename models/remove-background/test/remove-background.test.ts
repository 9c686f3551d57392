// ferry/remove-background served by the real SDK server: the default example comes back the same size with
// transparent corners and an opaque person in the middle, as WebP too, the mask alone on request, and a non-image
// fails clearly.
import { describe, expect, it } from "vitest";
import { decodeImage, encodeImage, readImageAsIs } from "@ferry/model-kit";
import { bytesOf, dataUri, defaultExampleFile, serveDuringTests } from "@ferry/model-kit/testing";
import model from "../src/predict.js";

const EXAMPLE = await defaultExampleFile(new URL("../", import.meta.url), "image");

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

const served = serveDuringTests(model, { uploadUrl: null, readyWithinMs: 60_000, requestTimeoutMs: 60_000 });

describe("ferry/remove-background", () => {
  it("returns a PNG of the input's size, transparent in the corners and opaque on the person", async () => {
    const { width, height } = await decodeImage(EXAMPLE);
    const done = await served.predict({ image: dataUri(EXAMPLE, "image/jpeg") });
    expect(done.status).toBe("succeeded");
    expect(done.output).toMatch(/^data:image\/png;base64,/);
    const { data, ...info } = await readImageAsIs(bytesOf(done.output as string));
    expect(info).toMatchObject({ format: "png", width, height, channels: 4 });
    const alpha = (x: number, y: number) => data[(y * width + x) * 4 + 3]!;
    expect(Math.max(alpha(2, 2), alpha(width - 3, 2))).toBeLessThan(30);
    expect(alpha(Math.floor(width / 2), Math.floor(height * 0.6))).toBeGreaterThan(220);
  });

  it("writes WebP with transparency when asked", async () => {
    const done = await served.predict({ image: dataUri(EXAMPLE, "image/jpeg"), output_format: "webp" });
    expect(done.output).toMatch(/^data:image\/webp;base64,/);
    expect(await readImageAsIs(bytesOf(done.output as string))).toMatchObject({ format: "webp", hasAlpha: true });
  });

  it("returns the mask alone with mask_only: white on the person, black in the corners", async () => {
    const { width, height } = await decodeImage(EXAMPLE);
    const done = await served.predict({ image: dataUri(EXAMPLE, "image/jpeg"), mask_only: true });
    const { data: mask, ...info } = await readImageAsIs(bytesOf(done.output as string));
    expect(info).toMatchObject({ format: "png", width, height, channels: 1 });
    expect(mask[2 * width + 2]).toBeLessThan(30);
    expect(mask[Math.floor(height * 0.6) * width + Math.floor(width / 2)]).toBeGreaterThan(220);
  });

  it("keeps a large photo's full size although the mask is computed smaller", async () => {
    // A 1960×2038 photo made from the example (nearest neighbour keeps it a photo of the same person).
    const small = await decodeImage(EXAMPLE);
    const big = await encodeImage(upscale(small, 5), "jpeg");
    const done = await served.predict({ image: dataUri(big, "image/jpeg") });
    expect(await readImageAsIs(bytesOf(done.output as string))).toMatchObject({ width: small.width * 5, height: small.height * 5, hasAlpha: true });
  });

  it("fails with a clear error for a file that is not an image", async () => {
    const done = await served.predict({ image: dataUri(Buffer.from("just some text"), "text/plain") });
    expect(done).toMatchObject({ status: "failed", error: expect.stringMatching(/^Could not read the image/) });
  });
});
