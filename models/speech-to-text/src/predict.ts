// ferry/speech-to-text: English transcription with CMU PocketSphinx (Debian `pocketsphinx` + `pocketsphinx-en-us`), a
// legacy HMM recogniser: any audio sox reads → 16 kHz mono WAV → pocketsphinx_continuous → text and timed segments.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { z } from "zod";
import { defineModel, inputs } from "@ferry/sdk";
import { convertToMonoWav, encodePcm16Wav, requirePrograms, runProgram, SUPPORTED_AUDIO } from "@ferry/model-kit";
import { parseTimedTranscript } from "./transcript.js";

export const MAX_AUDIO_SECONDS = 600;
/** Pocketsphinx runs at about 0.2× real time here; the bound leaves room for a busy machine without letting it hang. */
const recognitionTimeoutMs = (seconds: number) => 30_000 + seconds * 2_000;

const word = z.object({ word: z.string(), start: z.number(), end: z.number(), probability: z.number() });
const segment = z.object({
  text: z.string(),
  start: z.number().describe("Seconds from the start of the audio"),
  end: z.number(),
  words: z.array(word).optional().describe("Each recognised word with its timing (when word_timestamps is true)"),
});

export default defineModel({
  input: z.object({
    audio: inputs.file().describe(`Speech in English: ${SUPPORTED_AUDIO}, any rate and channel count, at most ${MAX_AUDIO_SECONDS} s`),
    word_timestamps: z.boolean().default(false).describe("Also return every word with its start and end time"),
  }),
  output: z.object({
    text: z.string().describe("The whole transcript, lower case and without punctuation"),
    segments: z.array(segment).describe("One segment per stretch of speech between pauses"),
  }),
  async setup(ctx) {
    await requirePrograms(["pocketsphinx_continuous", "sox"]);
    // Recognise half a second of silence once: a missing or broken pocketsphinx-en-us model (the program installs
    // without it) then fails the boot, not the first prediction.
    const dir = await mkdtemp(join(tmpdir(), "ferry-stt-setup-"));
    try {
      const silence = join(dir, "silence.wav");
      await writeFile(silence, encodePcm16Wav(new Int16Array(8_000), { sampleRate: 16_000 }));
      const { durationMs } = await runProgram("pocketsphinx_continuous", ["-infile", silence], { timeoutMs: 60_000 });
      ctx.log(`pocketsphinx_continuous and its en-us model work (${durationMs} ms); sox found`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
  async predict(input, ctx) {
    const wav = join(dirname(input.audio), "speech-16k.wav");
    // One second past the limit is converted, so an overlong upload is told apart from one exactly at it.
    const info = await convertToMonoWav(input.audio, wav, { maxSeconds: MAX_AUDIO_SECONDS + 1, signal: ctx.signal });
    if (info.durationSeconds > MAX_AUDIO_SECONDS) throw new Error(`audio is longer than ${MAX_AUDIO_SECONDS} s; split it into shorter files`);
    if (info.frames === 0) throw new Error("audio holds no samples");
    ctx.log(`audio: ${info.durationSeconds.toFixed(2)} s`);
    // Its log (tens of KB on stderr) is kept only as a bounded tail: it is what an error message shows.
    const { stdout, durationMs } = await runProgram("pocketsphinx_continuous", ["-infile", wav, "-time", "yes"], {
      timeoutMs: recognitionTimeoutMs(info.durationSeconds),
      signal: ctx.signal,
    });
    const segments = parseTimedTranscript(stdout);
    ctx.log(`recognised ${segments.length} segment(s) in ${durationMs} ms`);
    ctx.recordMetric("audio_seconds", Number(info.durationSeconds.toFixed(3)));
    return {
      text: segments.map((s) => s.text).join(" "),
      segments: segments.map(({ words, ...rest }) => (input.word_timestamps ? { ...rest, words } : rest)),
    };
  },
});
