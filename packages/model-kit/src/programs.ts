// Running the Debian programs some models wrap (sox, flite, pocketsphinx…): spawned directly, never through a shell,
// with a deadline, an abort signal and bounded output capture, so one bad input can neither hang an instance nor
// fill its memory.
import { spawn } from "node:child_process";
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { delimiter, isAbsolute, join } from "node:path";

export interface RunProgramOptions {
  /** Kill the program (SIGKILL) after this many ms. Default 60 000. */
  timeoutMs?: number;
  /** Aborting it kills the program at once: pass the prediction's `ctx.signal`. */
  signal?: AbortSignal;
  /** Bytes kept of each of stdout and stderr. Default 1 MiB. Stdout keeps its start, stderr its end (where errors are). */
  maxOutputBytes?: number;
  /** Bytes written to the program's stdin, which is then closed (stdin is empty otherwise). */
  stdin?: Uint8Array | string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface ProgramResult {
  stdout: string;
  stderr: string;
  /** True when the program wrote more than maxOutputBytes to that stream and some was dropped. */
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  durationMs: number;
}

/** Why a program did not finish cleanly. */
export type ProgramFailure = "not_found" | "spawn_failed" | "exit_code" | "killed" | "timeout" | "aborted";

/** Thrown by runProgram. `message` names the program and ends with the tail of its stderr, to be readable in logs. */
export class ProgramError extends Error {
  override readonly name = "ProgramError";
  constructor(
    message: string,
    readonly program: string,
    readonly reason: ProgramFailure,
    readonly exitCode: number | null,
    readonly result: ProgramResult,
  ) {
    super(message);
  }
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_OUTPUT = 1 << 20;
/** How much of stderr goes into an error message. */
const MESSAGE_STDERR_CHARS = 500;

/** Collects at most `max` bytes of a stream: the first ones (`head`) or the last ones (`tail`). */
class BoundedCapture {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  constructor(
    private readonly max: number,
    private readonly keep: "head" | "tail",
  ) {}

  push(chunk: Buffer): void {
    if (this.keep === "head") {
      const room = this.max - this.size;
      if (room <= 0) {
        this.truncated = true;
        return;
      }
      if (chunk.length > room) this.truncated = true;
      const kept = chunk.subarray(0, room);
      this.chunks.push(kept);
      this.size += kept.length;
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.max && this.chunks.length > 0) {
      this.truncated = true;
      const first = this.chunks[0] as Buffer;
      const excess = this.size - this.max;
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.size -= excess;
      }
    }
  }

  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
}

/**
 * Runs `program` with `args` (no shell: arguments are passed as they are, so input text can never become a command)
 * and resolves with its output when it exits with code 0. Rejects with a ProgramError when it cannot start, exits
 * non-zero or by a signal, outlives `timeoutMs`, or `signal` aborts (the program is killed in the last two cases).
 */
export function runProgram(program: string, args: readonly string[], options: RunProgramOptions = {}): Promise<ProgramResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxOutput = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  const stdout = new BoundedCapture(maxOutput, "head");
  const stderr = new BoundedCapture(maxOutput, "tail");
  const started = performance.now();
  const result = (): ProgramResult => ({
    stdout: stdout.text(),
    stderr: stderr.text(),
    stdoutTruncated: stdout.truncated,
    stderrTruncated: stderr.truncated,
    durationMs: Math.round(performance.now() - started),
  });

  return new Promise<ProgramResult>((resolve, reject) => {
    const fail = (reason: ProgramFailure, exitCode: number | null, what: string) => {
      const res = result();
      const tail = res.stderr.trim().slice(-MESSAGE_STDERR_CHARS);
      reject(new ProgramError(`${program} ${what}${tail ? `: ${tail}` : ""}`, program, reason, exitCode, res));
    };
    if (options.signal?.aborted) {
      fail("aborted", null, "was not started: the operation was aborted");
      return;
    }

    let stopped: "timeout" | "aborted" | null = null;
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["pipe", "pipe", "pipe"],
      shell: false,
      windowsHide: true,
    });
    const kill = (why: "timeout" | "aborted") => {
      if (stopped !== null) return;
      stopped = why;
      child.kill("SIGKILL");
    };
    const timer = setTimeout(() => kill("timeout"), timeoutMs);
    const onAbort = () => kill("aborted");
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const cleanup = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
    };

    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    // A program that exits without reading its stdin makes the write fail with EPIPE; its exit status says what happened.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.stdin ?? "");

    child.on("error", (err: NodeJS.ErrnoException) => {
      cleanup();
      if (err.code === "ENOENT") fail("not_found", null, "is not installed (not found on PATH)");
      else fail("spawn_failed", null, `could not be started (${err.message})`);
    });
    // "close" (not "exit"): both pipes are drained, so the captured output is complete.
    child.on("close", (code, signal) => {
      cleanup();
      if (stopped === "timeout") fail("timeout", code, `timed out after ${timeoutMs} ms`);
      else if (stopped === "aborted") fail("aborted", code, "was stopped: the operation was aborted");
      else if (signal !== null) fail("killed", null, `was killed by ${signal}`);
      else if (code !== 0) fail("exit_code", code, `exited with code ${String(code)}`);
      else resolve(result());
    });
  });
}

/** The absolute path of an executable called `name` on PATH (or `name` itself when it is a path), else null. */
export async function which(name: string, path: string = process.env["PATH"] ?? ""): Promise<string | null> {
  const candidates = name.includes("/") ? [isAbsolute(name) ? name : join(process.cwd(), name)] : path.split(delimiter).filter(Boolean).map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here: try the next folder
    }
  }
  return null;
}

/** Throws one clear error naming every program of `names` that is not on PATH (call it in a model's setup). */
export async function requirePrograms(names: readonly string[]): Promise<void> {
  const missing: string[] = [];
  for (const name of names) if ((await which(name)) === null) missing.push(name);
  if (missing.length > 0) {
    throw new Error(`required program${missing.length > 1 ? "s" : ""} not found on PATH: ${missing.join(", ")} (install the Debian package that provides ${missing.length > 1 ? "them" : "it"})`);
  }
}
