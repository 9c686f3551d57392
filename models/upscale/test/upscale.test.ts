// ferry/upscale served by the real SDK server with the ESRGAN-slim models on tfjs-wasm: the output PNG is exactly
// scale× the input in each direction and carries a real picture; oversized and non-image inputs fail clearly.
import { readFile } from "node:fs/promises";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveModel, type ModelServer, type PredictionSnapshot } from "@ferry/sdk";
import model from "../src/predict.js";

const folder = new URL("../", import.meta.url);
let server: ModelServer;
let exampleBytes: Buffer;
let exampleScale: number;

async function post(input: Record<string, unknown>): Promise<Response> {
  return fetch(`http://127.0.0.1:${server.port}/predictions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ input }),
    signal: AbortSignal.timeout(90_000),
  });
}

async function predict(input: Record<string, unknown>): Promise<PredictionSnapshot> {
  return (await (await post(input)).json()) as PredictionSnapshot;
}

function dataUri(bytes: Buffer, type: string): string {
  return `data:${type};base64,${bytes.toString("base64")}`;
}

/** The bytes of an output file, which an instance without an upload URL returns as a data: URI. */
function outputBytes(done: PredictionSnapshot): Buffer {
  const match = /^data:image\/png;base64,(.+)$/.exec(String(done.output));
  if (!match?.[1]) throw new Error(`expected a PNG data: URI, got ${String(done.output).slice(0, 60)}`);
  return Buffer.from(match[1], "base64");
}

beforeAll(async () => {
  const manifest = JSON.parse(await readFile(new URL("ferry.json", folder), "utf8")) as {
    examples: { input: { image: string; scale: number } }[];
  };
  exampleBytes = await readFile(new URL(manifest.examples[0]!.input.image, folder));
  exampleScale = manifest.examples[0]!.input.scale;
  server = await serveModel(model, { port: 0, echoLogs: false, uploadUrl: null });
  const deadline = Date.now() + 60_000;
  while (server.health().status !== "READY") {
    if (Date.now() > deadline) throw new Error(`ferry/upscale did not become READY: ${JSON.stringify(server.health())}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
});
afterAll(async () => {
  await server?.close();
});

describe("ferry/upscale", () => {
  it("turns the default example into a PNG exactly scale× its size, with a real picture in it", async () => {
    const input = await sharp(exampleBytes).metadata();
    const done = await predict({ image: dataUri(exampleBytes, "image/jpeg"), scale: exampleScale });
    expect(done.status, String(done.error)).toBe("succeeded");
    const png = outputBytes(done);
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
    const done = await predict({ image: dataUri(withAlpha, "image/png"), scale: 2 });
    expect(done.status, String(done.error)).toBe("succeeded");
    const output = await sharp(outputBytes(done)).metadata();
    expect([output.width, output.height, output.hasAlpha]).toEqual([80, 60, true]);
    const alpha = (await sharp(outputBytes(done)).stats()).channels[3]!;
    expect(alpha.mean).toBeGreaterThan(120);
    expect(alpha.mean).toBeLessThan(135);
  });

  it("fails an input over 512×512 pixels in area, naming the limit", async () => {
    const big = await sharp({ create: { width: 600, height: 500, channels: 3, background: "#808080" } }).png().toBuffer();
    const done = await predict({ image: dataUri(big, "image/png"), scale: 2 });
    expect(done.status).toBe("failed");
    expect(done.error).toMatch(/600×500.*512×512/);
  });

  it("rejects a scale other than 2 or 4 before running", async () => {
    expect((await post({ image: dataUri(exampleBytes, "image/jpeg"), scale: 3 })).status).toBe(422);
  });
});
