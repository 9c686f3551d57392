// Audio for models: PCM16 WAV headers read and written by hand (RIFF is simple, and this keeps models free of audio
// libraries), level statistics, and sox to turn any upload into the 16 kHz mono WAV that speech models expect.
import { open } from "node:fs/promises";
import { ProgramError, runProgram } from "./programs.js";

export interface WavInfo {
  /** 1 = integer PCM, 3 = IEEE float, 0xFFFE = extensible (the real format is in its sub-format). */
  format: number;
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Byte offset of the first sample and the number of sample bytes after it. */
  dataOffset: number;
  dataBytes: number;
  /** Samples per channel. */
  frames: number;
  durationSeconds: number;
}

/** A WAV file whose header could not be read: the message says what is wrong with it. */
export class WavFormatError extends Error {
  override readonly name = "WavFormatError";
}

/** An audio file sox could not read (unknown or unsupported format, damaged file). */
export class AudioDecodeError extends Error {
  override readonly name = "AudioDecodeError";
}

/** The formats the Debian sox (libsox-fmt-base) reads, for error messages and READMEs. */
export const SUPPORTED_AUDIO = "WAV, FLAC, Ogg Vorbis, AIFF, AU, MP3 (with libsox-fmt-mp3)";

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** Enough bytes to reach the data chunk of any ordinary WAV (LIST/INFO chunks before it are small). */
const HEADER_PROBE_BYTES = 64 * 1024;

/**
 * Reads a WAV header. `totalBytes` is the file's real size when `bytes` holds only its start: the data size is
 * clamped to it, because streamed WAVs (sox or flite writing to a pipe) put a placeholder there.
 */
export function parseWavHeader(bytes: Uint8Array, totalBytes: number = bytes.length): WavInfo {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ascii = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 12 || ascii(0) !== "RIFF" || ascii(8) !== "WAVE") throw new WavFormatError("not a WAV file (no RIFF/WAVE header)");
  let fmt: Pick<WavInfo, "format" | "sampleRate" | "channels" | "bitsPerSample"> | null = null;
  let at = 12;
  while (at + 8 <= bytes.length) {
    const id = ascii(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === "fmt ") {
      if (size < 16 || body + 16 > bytes.length) throw new WavFormatError("WAV fmt chunk is too short");
      let format = view.getUint16(body, true);
      if (format === WAVE_FORMAT_EXTENSIBLE && size >= 26 && body + 26 <= bytes.length) format = view.getUint16(body + 24, true);
      fmt = { format, channels: view.getUint16(body + 2, true), sampleRate: view.getUint32(body + 4, true), bitsPerSample: view.getUint16(body + 14, true) };
    } else if (id === "data") {
      if (fmt === null) throw new WavFormatError("WAV data chunk comes before its fmt chunk");
      if (fmt.channels < 1 || fmt.sampleRate < 1 || fmt.bitsPerSample < 1) throw new WavFormatError("WAV fmt chunk has a zero channel count, sample rate or sample size");
      const dataBytes = Math.max(0, Math.min(size, totalBytes - body));
      const frameBytes = fmt.channels * Math.ceil(fmt.bitsPerSample / 8);
      const frames = Math.floor(dataBytes / frameBytes);
      return { ...fmt, dataOffset: body, dataBytes, frames, durationSeconds: frames / fmt.sampleRate };
    }
    at = body + size + (size % 2); // chunks are padded to an even length
  }
  throw new WavFormatError(fmt === null ? "WAV file has no fmt chunk" : "WAV file has no data chunk");
}

/** The header of the WAV file at `path`, reading only its first bytes. */
export async function readWavInfo(path: string): Promise<WavInfo> {
  const file = await open(path, "r");
  try {
    const { size } = await file.stat();
    const head = Buffer.alloc(Math.min(size, HEADER_PROBE_BYTES));
    await file.read(head, 0, head.length, 0);
    return parseWavHeader(head, size);
  } finally {
    await file.close();
  }
}

/** The samples of a 16-bit PCM WAV, channels interleaved. */
export function decodePcm16Wav(bytes: Uint8Array): { info: WavInfo; samples: Int16Array } {
  const info = parseWavHeader(bytes);
  if (info.format !== WAVE_FORMAT_PCM || info.bitsPerSample !== 16) {
    throw new WavFormatError(`expected 16-bit PCM WAV, got format ${info.format} with ${info.bitsPerSample}-bit samples`);
  }
  const count = info.frames * info.channels;
  const view = new DataView(bytes.buffer, bytes.byteOffset + info.dataOffset, count * 2);
  const samples = new Int16Array(count);
  for (let i = 0; i < count; i++) samples[i] = view.getInt16(i * 2, true);
  return { info, samples };
}

/** A 16-bit PCM WAV file holding `samples` (channels interleaved). */
export function encodePcm16Wav(samples: Int16Array, options: { sampleRate: number; channels?: number }): Uint8Array {
  const channels = options.channels ?? 1;
  const dataBytes = samples.length * 2;
  const out = new Uint8Array(44 + dataBytes);
  const view = new DataView(out.buffer);
  const ascii = (at: number, text: string) => out.set(Buffer.from(text, "ascii"), at);
  ascii(0, "RIFF");
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, WAVE_FORMAT_PCM, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, options.sampleRate, true);
  view.setUint32(28, options.sampleRate * channels * 2, true); // byte rate
  view.setUint16(32, channels * 2, true); // block align
  view.setUint16(34, 16, true);
  ascii(36, "data");
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < samples.length; i++) view.setInt16(44 + i * 2, samples[i] as number, true);
  return out;
}

/** Loudness of PCM16 samples in dBFS (0 = full scale; silence is -Infinity). */
export function pcm16Levels(samples: Int16Array): { rmsDbfs: number; peakDbfs: number } {
  let sumSquares = 0;
  let peak = 0;
  for (const sample of samples) {
    sumSquares += sample * sample;
    peak = Math.max(peak, Math.abs(sample));
  }
  const rms = samples.length === 0 ? 0 : Math.sqrt(sumSquares / samples.length);
  return { rmsDbfs: 20 * Math.log10(rms / 32768), peakDbfs: 20 * Math.log10(peak / 32768) };
}

/** sox's name for a file type, told from its first bytes; null when not recognised (sox then goes by the extension). */
export function sniffAudioType(head: Uint8Array): string | null {
  const ascii = (at: number, length: number) => String.fromCharCode(...head.subarray(at, at + length));
  if (ascii(0, 4) === "RIFF" && ascii(8, 4) === "WAVE") return "wav";
  if (ascii(0, 4) === "fLaC") return "flac";
  if (ascii(0, 4) === "OggS") return "ogg";
  if (ascii(0, 4) === "FORM" && (ascii(8, 4) === "AIFF" || ascii(8, 4) === "AIFC")) return ascii(8, 4) === "AIFF" ? "aiff" : "aifc";
  if (ascii(0, 4) === ".snd") return "au";
  if (ascii(0, 3) === "ID3" || (head[0] === 0xff && ((head[1] ?? 0) & 0xe0) === 0xe0)) return "mp3";
  return null;
}

export interface ConvertOptions {
  sampleRate?: number;
  /** Stop after this many seconds of input (sox `trim`), so an overlong upload cannot tie the model up. */
  maxSeconds?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Converts any audio file sox can read (WAV, FLAC, Ogg Vorbis, AIFF, AU…; MP3 only when libsox-fmt-mp3 is
 * installed) into a 16-bit mono WAV at `sampleRate` (16 kHz by default) at `output`, and returns its header.
 */
export async function convertToMonoWav(input: string, output: string, options: ConvertOptions = {}): Promise<WavInfo> {
  const file = await open(input, "r");
  const head = Buffer.alloc(16);
  try {
    await file.read(head, 0, head.length, 0);
  } finally {
    await file.close();
  }
  const type = sniffAudioType(head);
  const args = ["-q", "-V1", ...(type === null ? [] : ["-t", type]), input, "-t", "wav", "-e", "signed-integer", "-b", "16", output];
  // trim first and downmix before resampling: every later step then works on less audio.
  if (options.maxSeconds !== undefined) args.push("trim", "0", String(options.maxSeconds));
  args.push("channels", "1", "rate", String(options.sampleRate ?? 16_000));
  try {
    await runProgram("sox", args, { timeoutMs: options.timeoutMs ?? 120_000, signal: options.signal, maxOutputBytes: 64 * 1024 });
  } catch (err) {
    // sox's own words ("no handler for file extension", "can't open input file") are the useful part.
    if (err instanceof ProgramError && err.reason === "exit_code") {
      const why = err.result.stderr.trim().split("\n").at(-1) ?? "";
      throw new AudioDecodeError(`could not read the audio file: ${why.replace(/^sox FAIL \w+: /, "")} (readable formats: ${SUPPORTED_AUDIO})`);
    }
    throw err;
  }
  return readWavInfo(output);
}
