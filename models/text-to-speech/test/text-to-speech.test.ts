// ferry/text-to-speech served by the real SDK server with the real flite: the default example becomes a WAV of
// speech length that is not silent; voices and speed change the result; text with nothing to say fails clearly.
import { describe, expect, it } from "vitest";
import { decodePcm16Wav, pcm16Levels } from "@ferry/model-kit";
import { bytesOf, defaultExample, serveDuringTests } from "@ferry/model-kit/testing";
import model from "../src/predict.js";

const served = serveDuringTests(model, { uploadUrl: null, readyWithinMs: 30_000, requestTimeoutMs: 60_000 });

/** Runs the model and decodes its WAV output (a data: URI, as the instance has no upload URL). */
async function speak(input: Record<string, unknown>) {
  const done = await served.predict(input);
  expect(done.status, String(done.error)).toBe("succeeded");
  const uri = done.output as string;
  expect(uri.startsWith("data:audio/wav;base64,")).toBe(true);
  return { done, ...decodePcm16Wav(bytesOf(uri, "audio/wav")) };
}

describe("ferry/text-to-speech", () => {
  it("speaks the default example (23 words) as 16 kHz mono speech of 3–15 s that is not silent", async () => {
    const input = await defaultExample(new URL("../", import.meta.url));
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
      const res = await served.post({ input: { text } });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ detail: [{ loc: ["body", "input", "text"] }] });
    }
  });
});
