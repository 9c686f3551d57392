// ferry/nsfw-detector served by the real SDK server with the bundled MobileNetV2 on tfjs-wasm: the default
// example (a dinner photo) is safe, the threshold decides the verdict, and bad inputs fail clearly.
import { describe, expect, it } from "vitest";
import { dataUri, defaultExampleFile, serveDuringTests } from "@ferry/model-kit/testing";
import model from "../src/predict.js";

const served = serveDuringTests(model, { uploadUrl: null, readyWithinMs: 60_000, requestTimeoutMs: 60_000 });
const example = dataUri(await defaultExampleFile(new URL("../", import.meta.url), "image"), "image/jpeg");

interface NsfwOutput {
  predictions: { label: string; probability: number }[];
  nsfw: boolean;
}

describe("ferry/nsfw-detector", () => {
  it("finds the default example safe: Neutral on top, five classes summing to 1, sorted", async () => {
    const done = await served.predict({ image: example });
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
    const strict = (await served.predict({ image: example, threshold: 0.000_1 })).output as NsfwOutput;
    const unsafe = strict.predictions.filter((p) => ["Porn", "Hentai", "Sexy"].includes(p.label)).reduce((sum, p) => sum + p.probability, 0);
    expect(unsafe).toBeGreaterThan(0.000_1);
    expect(strict.nsfw).toBe(true);
  });

  it("fails a prediction whose file is not an image, saying so", async () => {
    const done = await served.predict({ image: dataUri(Buffer.from("plain text"), "image/jpeg") });
    expect(done.status).toBe("failed");
    expect(done.error).toMatch(/Could not read the image/);
  });

  it("rejects a threshold outside 0..1 before running", async () => {
    expect((await served.post({ input: { image: example, threshold: 1.5 } })).status).toBe(422);
  });
});
