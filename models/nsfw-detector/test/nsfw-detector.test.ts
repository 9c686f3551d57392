// ferry/nsfw-detector served by the real SDK server with the bundled MobileNetV2 on tfjs-wasm: the default
// example (a dinner photo) is safe, the threshold decides the verdict, and bad inputs fail clearly.
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveModel, type ModelServer, type PredictionSnapshot } from "@ferry/sdk";
import model from "../src/predict.js";

const folder = new URL("../", import.meta.url);
let server: ModelServer;
let example: string;

interface NsfwOutput {
  predictions: { label: string; probability: number }[];
  nsfw: boolean;
}

async function post(input: Record<string, unknown>): Promise<Response> {
  return fetch(`http://127.0.0.1:${server.port}/predictions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ input }),
    signal: AbortSignal.timeout(60_000),
  });
}

async function predict(input: Record<string, unknown>): Promise<PredictionSnapshot> {
  return (await (await post(input)).json()) as PredictionSnapshot;
}

beforeAll(async () => {
  const manifest = JSON.parse(await readFile(new URL("ferry.json", folder), "utf8")) as { examples: { input: { image: string } }[] };
  example = `data:image/jpeg;base64,${(await readFile(new URL(manifest.examples[0]!.input.image, folder))).toString("base64")}`;
  server = await serveModel(model, { port: 0, echoLogs: false, uploadUrl: null });
  const deadline = Date.now() + 60_000;
  while (server.health().status !== "READY") {
    if (Date.now() > deadline) throw new Error(`ferry/nsfw-detector did not become READY: ${JSON.stringify(server.health())}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
});
afterAll(async () => {
  await server?.close();
});

describe("ferry/nsfw-detector", () => {
  it("finds the default example safe: Neutral on top, five classes summing to 1, sorted", async () => {
    const done = await predict({ image: example });
    expect(done.status, String(done.error)).toBe("succeeded");
    const output = done.output as NsfwOutput;
    expect(output.nsfw).toBe(false);
    expect(["Neutral", "Drawing"]).toContain(output.predictions[0]!.label);
    expect(output.predictions[0]!.probability).toBeGreaterThan(0.9);
    expect(output.predictions.map((p) => p.label).sort()).toEqual(["Drawing", "Hentai", "Neutral", "Porn", "Sexy"]);
    const probabilities = output.predictions.map((p) => p.probability);
    expect(probabilities).toEqual([...probabilities].sort((a, b) => b - a));
    expect(probabilities.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 2);
  });

  it("flags the same image once the threshold is below its Porn + Hentai + Sexy probability", async () => {
    const strict = (await predict({ image: example, threshold: 0.000_1 })).output as NsfwOutput;
    const unsafe = strict.predictions.filter((p) => ["Porn", "Hentai", "Sexy"].includes(p.label)).reduce((sum, p) => sum + p.probability, 0);
    expect(unsafe).toBeGreaterThan(0.000_1);
    expect(strict.nsfw).toBe(true);
  });

  it("fails a prediction whose file is not an image, saying so", async () => {
    const done = await predict({ image: `data:image/jpeg;base64,${Buffer.from("plain text").toString("base64")}` });
    expect(done.status).toBe("failed");
    expect(done.error).toMatch(/Could not read the image/);
  });

  it("rejects a threshold outside 0..1 before running", async () => {
    expect((await post({ image: example, threshold: 1.5 })).status).toBe(422);
  });
});
