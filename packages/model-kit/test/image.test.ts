// Image helpers on real sharp: decoding (orientation, alpha, downscale, size guard, junk), encoding, drawn
// annotations and masks applied at full size.
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { annotateImage, annotationSvg, applyMask, boxToInput, decodeImage, encodeImage, ImageInputError, pointToInput } from "@ferry/model-kit";

/** A solid image with a 10×10 blue square at (10, 10). */
async function png(width: number, height: number, background = "#ff0000"): Promise<Buffer> {
  const square = await sharp({ create: { width: 10, height: 10, channels: 3, background: "#0000ff" } }).png().toBuffer();
  return sharp({ create: { width, height, channels: 3, background } }).composite([{ input: square, left: 10, top: 10 }]).png().toBuffer();
}

function pixel(data: Buffer, width: number, x: number, y: number, channels = 3): number[] {
  const at = (y * width + x) * channels;
  return [...data.subarray(at, at + channels)];
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ImageInputError);
  return err as Error;
}

describe("decodeImage", () => {
  it("decodes to RGB at the input's size, pixel for pixel", async () => {
    const image = await decodeImage(await png(60, 40));
    expect(image).toMatchObject({ width: 60, height: 40, channels: 3, originalWidth: 60, originalHeight: 40, scale: 1 });
    expect(image.data.length).toBe(60 * 40 * 3);
    expect(pixel(image.data, 60, 0, 0)).toEqual([255, 0, 0]);
    expect(pixel(image.data, 60, 15, 15)).toEqual([0, 0, 255]);
  });

  it("reads a file path as well as bytes", async () => {
    const { writeFile, mkdtemp, rm } = await import("node:fs/promises");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const dir = await mkdtemp(join(tmpdir(), "ferry-image-test-"));
    try {
      await writeFile(join(dir, "in.png"), await png(30, 20));
      expect(await decodeImage(join(dir, "in.png"))).toMatchObject({ width: 30, height: 20 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("downscales to maxSide keeping the aspect ratio, and reports the original size and scale", async () => {
    const image = await decodeImage(await png(1000, 500), { maxSide: 200 });
    expect(image).toMatchObject({ width: 200, height: 100, originalWidth: 1000, originalHeight: 500, scale: 0.2 });
  });

  it("never enlarges a small image", async () => {
    expect(await decodeImage(await png(50, 30), { maxSide: 200 })).toMatchObject({ width: 50, height: 30, scale: 1 });
  });

  it("applies the EXIF orientation, so a portrait photo stored sideways comes out upright", async () => {
    const sideways = await sharp(await png(40, 20)).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    expect(await decodeImage(sideways)).toMatchObject({ width: 20, height: 40, originalWidth: 20, originalHeight: 40 });
  });

  it("flattens transparency onto white", async () => {
    const clear = await sharp({ create: { width: 8, height: 8, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    const image = await decodeImage(clear);
    expect(image.channels).toBe(3);
    expect(pixel(image.data, 8, 4, 4)).toEqual([255, 255, 255]);
  });

  it("rejects an image over the pixel limit before decoding it, saying its size and the limit", async () => {
    const err = await rejection(decodeImage(await png(2000, 1500), { maxPixels: 1_000_000 }));
    expect(err.message).toBe("The image is 2000×1500 (3.0 MP); the limit is 1.0 MP");
  });

  it("rejects bytes that are not an image with a message naming the readable formats", async () => {
    const err = await rejection(decodeImage(Buffer.from("hello, this is text")));
    expect(err.message).toMatch(/^Could not read the image \(.+\); expected PNG, JPEG, WebP/);
  });
});

describe("encodeImage", () => {
  it.each(["png", "jpeg", "webp"] as const)("encodes raw RGB as %s at the same size", async (format) => {
    const image = await decodeImage(await png(64, 48));
    const bytes = await encodeImage(image, format);
    expect(await sharp(bytes).metadata()).toMatchObject({ format, width: 64, height: 48 });
  });

  it("keeps an alpha channel in PNG", async () => {
    const data = Buffer.alloc(4 * 4 * 4, 200);
    const bytes = await encodeImage({ data, width: 4, height: 4, channels: 4 }, "png");
    expect(await sharp(bytes).metadata()).toMatchObject({ hasAlpha: true, channels: 4 });
  });
});

describe("annotations", () => {
  it("draws a box in its colour on the box's edge and leaves its inside alone", async () => {
    const black = await decodeImage(await sharp({ create: { width: 200, height: 120, channels: 3, background: "#000" } }).png().toBuffer());
    const bytes = await annotateImage(black, [{ kind: "box", x: 40, y: 40, width: 100, height: 60, color: "#00ff00" }], { format: "png" });
    const out = await decodeImage(bytes);
    expect(out).toMatchObject({ width: 200, height: 120 });
    const [r, g, b] = pixel(out.data, 200, 40, 70);
    expect(g).toBeGreaterThan(200);
    expect(r! + b!).toBeLessThan(60);
    expect(pixel(out.data, 200, 90, 70)).toEqual([0, 0, 0]);
  });

  it("draws points, lines and labels, escaping label text", async () => {
    const svg = annotationSvg(100, 100, [
      { kind: "box", x: 10, y: 30, width: 20, height: 20, label: `cat <0.9> & "dog"` },
      { kind: "point", x: 5, y: 5 },
      { kind: "line", x1: 0, y1: 0, x2: 50, y2: 50 },
    ]);
    expect(svg).toContain("cat &lt;0.9&gt; &amp; &quot;dog&quot;");
    expect(svg).toContain("<circle");
    expect(svg).toContain("<line");
    const grey = await decodeImage(await png(100, 100, "#808080"));
    // libvips parses the SVG: a broken document would throw here.
    await expect(annotateImage(grey, [{ kind: "box", x: 10, y: 30, width: 20, height: 20, label: "a < b" }])).resolves.toBeInstanceOf(Buffer);
  });
});

describe("applyMask", () => {
  // Left half removed, right half kept, scaled up from 8×1 to the input's size.
  const mask = { data: Uint8Array.from([0, 0, 0, 0, 255, 255, 255, 255]), width: 8, height: 1 };

  it("scales the mask to the full input size and makes it the alpha channel", async () => {
    const { bytes, width, height } = await applyMask(await png(300, 200), mask, { format: "png" });
    expect({ width, height }).toEqual({ width: 300, height: 200 });
    const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
    expect(info).toMatchObject({ width: 300, height: 200, channels: 4 });
    const alphaRow = Array.from({ length: 300 }, (_, x) => pixel(data, 300, x, 100, 4)[3]);
    expect(alphaRow.slice(0, 100).every((a) => a === 0)).toBe(true);
    expect(alphaRow.slice(200).every((a) => a === 255)).toBe(true);
    expect(pixel(data, 300, 299, 100, 4)).toEqual([255, 0, 0, 255]);
  });

  it("returns the scaled mask itself as a grey image with maskOnly", async () => {
    const { bytes } = await applyMask(await png(120, 80), mask, { format: "png", maskOnly: true });
    expect(await sharp(bytes).metadata()).toMatchObject({ width: 120, height: 80, channels: 1, space: "b-w" });
    const data = await sharp(bytes).extractChannel(0).raw().toBuffer();
    expect([data[0], data[119]]).toEqual([0, 255]);
  });

  it("writes WebP with alpha", async () => {
    const { bytes } = await applyMask(await png(64, 64), mask, { format: "webp" });
    expect(await sharp(bytes).metadata()).toMatchObject({ format: "webp", width: 64, height: 64, hasAlpha: true });
  });
});

describe("coordinates back to the input", () => {
  const image = { data: Buffer.alloc(0), width: 200, height: 100, channels: 3, originalWidth: 1000, originalHeight: 500, scale: 0.2 } as const;

  it("scales a box on the downscaled image up to the input's pixels, clipped to the image", () => {
    expect(boxToInput([10, 20, 30, 40], image)).toEqual({ x: 50, y: 100, width: 150, height: 200 });
    expect(boxToInput([-5, 90, 250, 40], image)).toEqual({ x: 0, y: 450, width: 1000, height: 50 });
  });

  it("scales a point, to one decimal", () => {
    expect(pointToInput(10.01, 20, image)).toEqual({ x: 50.1, y: 100 });
  });
});
