// ferry/text-to-speech served by the real SDK server with the real flite: the default example becomes a WAV of
// speech length that is not silent; voices and speed change the result; text with nothing to say fails clearly.
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveModel, type ModelServer, type PredictionSnapshot } from "@ferry/sdk";
import { decodePcm16Wav, pcm16Levels } from "@ferry/model-kit";
import model from "../src/predict.js";

const folder = new URL("../", import.meta.url);
let server: ModelServer;

async function predict(input: Record<string, unknown>): Promise<PredictionSnapshot> {
  const res = await fetch(`http://127.0.0.1:${server.port}/predictions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ input }),
    signal: AbortSignal.timeout(60_000),
  });
  return (await res.json()) as PredictionSnapshot;
}

/** Runs the model and decodes its WAV output (a data: URI, as the instance has no upload URL). */
async function speak(input: Record<string, unknown>) {
  const done = await predict(input);
  expect(done.status, String(done.error)).toBe("succeeded");
  const uri = done.output as string;
  expect(uri.startsWith("data:audio/wav;base64,")).toBe(true);
  return { done, ...decodePcm16Wav(Buffer.from(uri.slice(uri.indexOf(",") + 1), "base64")) };
}

beforeAll(async () => {
  server = await serveModel(model, { port: 0, echoLogs: false, uploadUrl: null });
  const deadline = Date.now() + 30_000;
  while (server.health().status !== "READY") {
    if (server.health().status === "SETUP_FAILED") throw new Error(`setup failed: ${JSON.stringify(server.health())}`);
    if (Date.now() > deadline) throw new Error(`ferry/text-to-speech did not become READY: ${JSON.stringify(server.health())}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
});
afterAll(async () => {
  await server?.close();
});

describe("ferry/text-to-speech", () => {
  it("speaks the default example (23 words) as 16 kHz mono speech of 3–15 s that is not silent", async () => {
    const manifest = JSON.parse(await readFile(new URL("ferry.json", folder), "utf8")) as { examples: { input: Record<string, unknown> }[] };
    const input = manifest.examples[0]!.input;
    expect((input["text"] as string).split(/\s+/)).toHaveLength(23);
    const { done, info, samples } = await speak(input);
    expect(info).toMatchObject({ sampleRate: 16000, channels: 1, bitsPerSample: 16 });
    // Natural speech runs at 2–4 words a second.
    expect(info.durationSeconds).toBeGreaterThan(3);
    expect(info.durationSeconds).toBeLessThan(15);
    expect(pcm16Levels(samples).rmsDbfs).toBeGreaterThan(-35);
    expect(done.metrics).toMatchObject({ audio_seconds: info.durationSeconds });
  });

  it("makes a 15-word sentence last 1.5–12 s in every voice, and speed 2 about halves it", async () => {
    const text = "Please call me back when you get this message, because the train leaves at seven.";
    const lengths: Record<string, number> = {};
    for (const voice of ["slt", "kal16", "awb", "rms"]) {
      const { info, samples } = await speak({ text, voice });
      expect(info.durationSeconds, voice).toBeGreaterThan(1.5);
      expect(info.durationSeconds, voice).toBeLessThan(12);
      expect(pcm16Levels(samples).rmsDbfs, voice).toBeGreaterThan(-35);
      lengths[voice] = info.durationSeconds;
    }
    // Different voices are different recordings, not the same one relabelled.
    expect(new Set(Object.values(lengths)).size).toBe(4);
    const fast = await speak({ text, voice: "slt", speed: 2 });
    expect(fast.info.durationSeconds / lengths["slt"]!).toBeGreaterThan(0.4);
    expect(fast.info.durationSeconds / lengths["slt"]!).toBeLessThan(0.65);
  });

  it("reads text that looks like command-line options as words", async () => {
    const { info } = await speak({ text: "-o /etc/passwd --help; $(reboot)" });
    expect(info.durationSeconds).toBeGreaterThan(1);
  });

  it("rejects text with nothing to say and text over 5000 characters with a 422 naming the field", async () => {
    for (const text of ["  ...  !!", "a".repeat(5001)]) {
      const res = await fetch(`http://127.0.0.1:${server.port}/predictions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ input: { text } }),
        signal: AbortSignal.timeout(10_000),
      });
      expect(res.status).toBe(422);
      expect(await res.json()).toMatchObject({ detail: [{ loc: ["body", "input", "text"] }] });
    }
  });
});
