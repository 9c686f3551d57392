// ferry/upscale served by the real SDK server with the ESRGAN-slim models on tfjs-wasm: the output PNG is exactly
// scale× the input in each direction and carries a real picture; oversized and non-image inputs fail clearly.
import { readFile } from "node:fs/promises";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { bytesOf, dataUri, defaultExample, serveDuringTests } from "@ferry/model-kit/testing";
import model from "../src/predict.js";

const folder = new URL("../", import.meta.url);
const served = serveDuringTests(model, { uploadUrl: null, readyWithinMs: 60_000, requestTimeoutMs: 90_000 });
const example = await defaultExample<{ image: string; scale: number }>(folder);
const exampleBytes = await readFile(new URL(example.image, folder));
const exampleScale = example.scale;

describe("ferry/upscale", () => {
  it("turns the default example into a PNG exactly scale× its size, with a real picture in it", async () => {
    const input = await sharp(exampleBytes).metadata();
    const done = await served.predict({ image: dataUri(exampleBytes, "image/jpeg"), scale: exampleScale });
    expect(done.status, String(done.error)).toBe("succeeded");
    const png = bytesOf(done.output, "image/png");
    const output = await sharp(png).metadata();
    expect(output.format).toBe("png");
    expect([output.width, output.height]).toEqual([input.width! * exampleScale, input.height! * exampleScale]);
    const stats = await sharp(png).stats();
    for (const channel of stats.channels.slice(0, 3)) expect(channel.stdev).toBeGreaterThan(20);
    // The upscaled picture is the input's: shrunk back, it matches the input closely on average.
    const back = await sharp(png).resize(input.width, input.height).removeAlpha().raw().toBuffer();
    const original = await sharp(exampleBytes).removeAlpha().raw().toBuffer();
    const meanError = back.reduce((sum, value, i) => sum + Math.abs(value - original[i]!), 0) / back.length;
    expect(meanError).toBeLessThan(8);
  });

  it("upscales ×2 and keeps an input's transparency", async () => {
    const withAlpha = await sharp(exampleBytes).resize(40, 30).ensureAlpha(0.5).png().toBuffer();
    const done = await served.predict({ image: dataUri(withAlpha, "image/png"), scale: 2 });
    expect(done.status, String(done.error)).toBe("succeeded");
    const output = await sharp(bytesOf(done.output, "image/png")).metadata();
    expect([output.width, output.height, output.hasAlpha]).toEqual([80, 60, true]);
    const alpha = (await sharp(bytesOf(done.output, "image/png")).stats()).channels[3]!;
    expect(alpha.mean).toBeGreaterThan(120);
    expect(alpha.mean).toBeLessThan(135);
  });

  it("fails an input over 512×512 pixels in area, naming the limit", async () => {
    const big = await sharp({ create: { width: 600, height: 500, channels: 3, background: "#808080" } }).png().toBuffer();
    const done = await served.predict({ image: dataUri(big, "image/png"), scale: 2 });
    expect(done.status).toBe("failed");
    expect(done.error).toMatch(/600×500.*512×512/);
  });

  it("rejects a scale other than 2 or 4 before running", async () => {
    expect((await served.post({ input: { image: dataUri(exampleBytes, "image/jpeg"), scale: 3 } })).status).toBe(422);
  });
});
