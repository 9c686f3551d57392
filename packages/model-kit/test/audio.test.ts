// WAV headers written and read back, streamed-WAV placeholders, levels, type sniffing, and real sox conversions.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AudioDecodeError,
  convertToMonoWav,
  decodePcm16Wav,
  encodePcm16Wav,
  parseWavHeader,
  pcm16Levels,
  readWavInfo,
  runProgram,
  sniffAudioType,
  WavFormatError,
} from "@ferry/model-kit";

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ferry-audio-test-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `seconds` of a 440 Hz tone at half scale. */
function tone(seconds: number, sampleRate: number, channels = 1): Int16Array {
  const frames = Math.round(seconds * sampleRate);
  const samples = new Int16Array(frames * channels);
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++) samples[i * channels + c] = Math.round(16384 * Math.sin((2 * Math.PI * 440 * i) / sampleRate));
  }
  return samples;
}

describe("PCM16 WAV encoding and headers", () => {
  it("reads back what it writes: rate, channels, frames, duration and samples", () => {
    const samples = tone(0.5, 22050, 2);
    const bytes = encodePcm16Wav(samples, { sampleRate: 22050, channels: 2 });
    expect(bytes.length).toBe(44 + samples.length * 2);
    const { info, samples: back } = decodePcm16Wav(bytes);
    expect(info).toEqual({ format: 1, sampleRate: 22050, channels: 2, bitsPerSample: 16, dataOffset: 44, dataBytes: samples.length * 2, frames: 11025, durationSeconds: 0.5 });
    expect(back).toEqual(samples);
  });

  it("skips chunks before the data and clamps a streamed placeholder size to the real length", () => {
    const plain = encodePcm16Wav(tone(0.25, 16000), { sampleRate: 16000 });
    const list = Buffer.concat([Buffer.from("LIST"), Buffer.from([5, 0, 0, 0]), Buffer.from("INFOx"), Buffer.from([0])]); // odd size: padded
    const bytes = Buffer.concat([plain.subarray(0, 36), list, plain.subarray(36)]);
    bytes.writeUInt32LE(0xffffffff, 36 + list.length + 4); // what a writer to a pipe leaves in the data size
    const info = parseWavHeader(bytes);
    expect(info).toMatchObject({ dataOffset: 44 + list.length, frames: 4000, durationSeconds: 0.25 });
  });

  it("rejects what is not a PCM16 WAV with a message saying why", () => {
    expect(() => parseWavHeader(Buffer.from("ID3 this is an mp3 file"))).toThrow(new WavFormatError("not a WAV file (no RIFF/WAVE header)"));
    const eightBit = Buffer.from(encodePcm16Wav(tone(0.1, 8000), { sampleRate: 8000 }));
    eightBit.writeUInt16LE(8, 34);
    expect(() => decodePcm16Wav(eightBit)).toThrow("expected 16-bit PCM WAV, got format 1 with 8-bit samples");
  });

  it("measures levels in dBFS: a half-scale sine is about -9 dB RMS, silence is -Infinity", () => {
    const { rmsDbfs, peakDbfs } = pcm16Levels(tone(0.5, 16000));
    expect(rmsDbfs).toBeCloseTo(-9.03, 1);
    expect(peakDbfs).toBeCloseTo(-6.02, 1);
    expect(pcm16Levels(new Int16Array(100)).rmsDbfs).toBe(-Infinity);
  });

  it("tells audio types from their first bytes", () => {
    expect(sniffAudioType(encodePcm16Wav(new Int16Array(0), { sampleRate: 8000 }))).toBe("wav");
    expect(sniffAudioType(Buffer.from("fLaC\0\0\0\x22"))).toBe("flac");
    expect(sniffAudioType(Buffer.from("OggS\0\x02"))).toBe("ogg");
    expect(sniffAudioType(Buffer.from("ID3\x04\0"))).toBe("mp3");
    expect(sniffAudioType(Buffer.from("hello world"))).toBeNull();
  });
});

describe("convertToMonoWav (sox)", () => {
  it("turns a 44.1 kHz stereo FLAC without an extension into 16 kHz mono PCM16 of the same length", async () => {
    const flac = join(dir, "upload"); // uploads often have no usable extension: the type comes from the bytes
    await runProgram("sox", ["-n", "-r", "44100", "-c", "2", "-b", "24", "-t", "flac", flac, "synth", "3", "sine", "440"]);
    const info = await convertToMonoWav(flac, join(dir, "mono.wav"));
    expect(info).toMatchObject({ format: 1, sampleRate: 16000, channels: 1, bitsPerSample: 16, frames: 48000 });
    expect(await readWavInfo(join(dir, "mono.wav"))).toEqual(info);
    const { samples } = decodePcm16Wav(await readFile(join(dir, "mono.wav")));
    expect(pcm16Levels(samples).rmsDbfs).toBeGreaterThan(-12);
  });

  it("cuts the input at maxSeconds and can resample to another rate", async () => {
    const wav = join(dir, "long.wav");
    await writeFile(wav, encodePcm16Wav(tone(4, 8000), { sampleRate: 8000 }));
    const info = await convertToMonoWav(wav, join(dir, "cut.wav"), { maxSeconds: 1.5, sampleRate: 22050 });
    expect(info).toMatchObject({ sampleRate: 22050, durationSeconds: 1.5 });
  });

  it("rejects a file sox cannot read with AudioDecodeError naming the readable formats", async () => {
    const junk = join(dir, "notes.txt");
    await writeFile(junk, "these are not audio samples");
    const err = await convertToMonoWav(junk, join(dir, "junk.wav")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AudioDecodeError);
    expect((err as Error).message).toMatch(/^could not read the audio file: .+ \(readable formats: WAV, FLAC, Ogg Vorbis, AIFF, AU, MP3 \(with libsox-fmt-mp3\)\)$/);
  });
});
