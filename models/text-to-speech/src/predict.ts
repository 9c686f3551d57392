// ferry/text-to-speech: English speech from text with CMU Flite (Debian `flite`), one of its built-in voices, as a WAV.
// Flite is a separate program started per prediction (about 0.1 s), so there are no weights to hold in memory.
import { dirname, join } from "node:path";
import { z } from "zod";
import { defineModel, outputs } from "@ferry/sdk";
import { readWavInfo, requirePrograms, runProgram } from "@ferry/model-kit";

/** The voices offered: Flite's built-in 16 kHz voices (its 8 kHz `kal` and diphone `awb_time` are left out). */
export const VOICES = ["slt", "kal16", "awb", "rms"] as const;
export const MAX_TEXT_CHARS = 5000;
/** Flite needs roughly 0.01 s per character on this machine; the bound is far above that but stops a stuck run. */
const SYNTHESIS_TIMEOUT_MS = 120_000;

export default defineModel({
  input: z.object({
    text: z
      .string()
      .min(1)
      .max(MAX_TEXT_CHARS)
      .regex(/[\p{L}\p{N}]/u, "text must contain at least one letter or digit to speak")
      .describe(`The English text to speak (at most ${MAX_TEXT_CHARS} characters)`),
    voice: z
      .enum(VOICES)
      .default("slt")
      .describe("slt: US English female; kal16: US English male; awb: Scottish English male; rms: US English male"),
    speed: z.number().min(0.5).max(2).default(1).describe("Speaking rate: 1 is normal, 0.5 half as fast, 2 twice as fast"),
  }),
  output: outputs.file(),
  concurrency: 2,
  async setup(ctx) {
    await requirePrograms(["flite"]);
    // `flite -lv` prints "Voices available: kal awb_time kal16 awb rms slt"; a Flite built without a voice fails here,
    // at boot, rather than on the first prediction that asks for it.
    const { stdout } = await runProgram("flite", ["-lv"], { timeoutMs: 10_000 });
    const available = new Set(stdout.replace(/^.*?:/, "").trim().split(/\s+/));
    const missing = VOICES.filter((voice) => !available.has(voice));
    if (missing.length > 0) throw new Error(`flite lacks the voice(s) ${missing.join(", ")}; it has: ${[...available].join(" ")}`);
    ctx.log(`flite voices: ${VOICES.join(", ")}`);
  },
  async predict(input, ctx) {
    // The text goes through a file, never the command line: no length limit and nothing in it is read as an option.
    const textFile = await ctx.files.write("input.txt", input.text, { contentType: "text/plain" });
    const wav = join(dirname(textFile), "speech.wav");
    // Flite's duration_stretch is the inverse of speed: 2 makes every sound last twice as long.
    const stretch = (1 / input.speed).toFixed(3);
    const { durationMs } = await runProgram("flite", ["-voice", input.voice, "--setf", `duration_stretch=${stretch}`, "-f", textFile, "-o", wav], {
      timeoutMs: SYNTHESIS_TIMEOUT_MS,
      signal: ctx.signal,
      maxOutputBytes: 64 * 1024,
    });
    const info = await readWavInfo(wav);
    ctx.log(`${input.text.length} characters → ${info.durationSeconds.toFixed(2)} s of ${info.sampleRate} Hz speech in ${durationMs} ms (voice ${input.voice})`);
    ctx.recordMetric("audio_seconds", Number(info.durationSeconds.toFixed(3)));
    // Inside the prediction's own folder, so it is uploaded as audio/wav (from its name) and deleted afterwards.
    return wav;
  },
});
