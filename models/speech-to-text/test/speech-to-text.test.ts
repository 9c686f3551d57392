// ferry/speech-to-text served by the real SDK server with the real pocketsphinx and sox: the default example (two
// sentences Flite spoke, with a pause between them) is transcribed with most of its words, in two timed segments.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runProgram } from "@ferry/model-kit";
import { dataUri, defaultExampleFile, serveForTest, type ModelUnderTest } from "@ferry/model-kit/testing";
import model from "../src/predict.js";

const folder = new URL("../", import.meta.url);
/** What examples/meeting.wav says: Flite's slt voice speaking these two sentences, 0.8 s apart. */
const REFERENCE = "Good morning. The meeting has moved to three o'clock on Thursday afternoon, so please bring the report and the new budget. Thank you, and see you there.";
let served: ModelUnderTest;
let scratch = "";

interface Transcript {
  text: string;
  segments: { text: string; start: number; end: number; words?: { word: string; start: number; end: number; probability: number }[] }[];
}

async function example(): Promise<string> {
  return dataUri(await defaultExampleFile(folder, "audio"), "audio/wav");
}

const wordsOf = (text: string) => text.toLowerCase().replace(/[^a-z' ]+/g, " ").split(/\s+/).filter(Boolean);

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "ferry-stt-test-"));
  served = await serveForTest(model, { uploadUrl: null, readyWithinMs: 30_000, requestTimeoutMs: 90_000 });
});
afterAll(async () => {
  await served?.close();
  await rm(scratch, { recursive: true, force: true });
});

describe("ferry/speech-to-text", () => {
  it("recognises at least 60 % of the default example's words, in two segments split at the pause", async () => {
    const done = await served.predict({ audio: await example() });
    expect(done.status, String(done.error)).toBe("succeeded");
    const output = done.output as Transcript;
    const heard = new Set(wordsOf(output.text));
    const reference = wordsOf(REFERENCE);
    const found = reference.filter((w) => heard.has(w)).length;
    expect(found / reference.length).toBeGreaterThanOrEqual(0.6);
    expect(output.segments).toHaveLength(2);
    const [first, second] = output.segments as [Transcript["segments"][0], Transcript["segments"][0]];
    // The first sentence lasts about 6.5 s, then 0.8 s of silence, then the second (the file is 9.3 s long).
    expect(first.start).toBeLessThan(0.5);
    expect(first.end).toBeGreaterThan(5.5);
    expect(second.start).toBeGreaterThan(first.end);
    expect(second.end).toBeLessThanOrEqual(9.3);
    expect(output.text).toBe(`${first.text} ${second.text}`);
    expect(first.words).toBeUndefined();
    expect(done.metrics).toMatchObject({ audio_seconds: 9.3 });
  });

  it("returns every word with ordered timings when word_timestamps is true, and reads stereo FLAC at 44.1 kHz", async () => {
    // The same speech as a 44.1 kHz stereo FLAC: the conversion to 16 kHz mono is part of the model.
    const flac = join(scratch, "meeting.flac");
    await runProgram("sox", [new URL("examples/meeting.wav", folder).pathname, "-r", "44100", "-c", "2", flac]);
    const done = await served.predict({ audio: dataUri(await readFile(flac), "audio/flac"), word_timestamps: true });
    expect(done.status, String(done.error)).toBe("succeeded");
    const output = done.output as Transcript;
    const words = output.segments.flatMap((s) => s.words ?? []);
    expect(words.map((w) => w.word).join(" ")).toBe(output.text);
    expect(wordsOf(output.text)).toEqual(expect.arrayContaining(["meeting", "thursday", "afternoon", "report", "budget"]));
    for (const [i, w] of words.entries()) {
      expect(w.end).toBeGreaterThan(w.start);
      expect(w.probability).toBeGreaterThanOrEqual(0);
      expect(w.probability).toBeLessThanOrEqual(1);
      if (i > 0) expect(w.start).toBeGreaterThanOrEqual(words[i - 1]!.end);
    }
  });

  it("reads MP3 (through libsox-fmt-mp3)", async () => {
    const mp3 = join(scratch, "meeting.mp3");
    await runProgram("sox", [new URL("examples/meeting.wav", folder).pathname, mp3]);
    const done = await served.predict({ audio: dataUri(await readFile(mp3), "audio/mpeg") });
    expect(done.status).toBe("succeeded");
    const heard = new Set(wordsOf((done.output as { text: string }).text));
    expect(heard.size).toBeGreaterThan(5);
  });

  it("gives an empty transcript for silence", async () => {
    const silence = join(scratch, "silence.wav");
    await runProgram("sox", ["-n", "-r", "16000", "-c", "1", "-b", "16", silence, "trim", "0", "2"]);
    const done = await served.predict({ audio: dataUri(await readFile(silence), "audio/wav") });
    expect(done).toMatchObject({ status: "succeeded", output: { text: "", segments: [] } });
  });

  it("fails clearly on a file that is not audio", async () => {
    const done = await served.predict({ audio: dataUri(Buffer.from("just some text, not a recording"), "text/plain") });
    expect(done.status).toBe("failed");
    expect(done.error).toMatch(/^could not read the audio file: .* \(readable formats: WAV, FLAC, Ogg Vorbis, AIFF, AU, MP3 \(with libsox-fmt-mp3\)\)$/);
  });

  it("refuses audio longer than 600 s without transcribing it", async () => {
    const long = join(scratch, "long.flac"); // 11 minutes of near-silence: a small FLAC, a long recording
    await runProgram("sox", ["-n", "-r", "8000", "-c", "1", "-b", "16", long, "synth", "660", "whitenoise", "vol", "0.001"]);
    const started = Date.now();
    const done = await served.predict({ audio: dataUri(await readFile(long), "audio/flac") });
    expect(done).toMatchObject({ status: "failed", error: "audio is longer than 600 s; split it into shorter files" });
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
