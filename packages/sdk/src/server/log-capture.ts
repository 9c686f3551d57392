// Attributes console.* and process.stdout/stderr writes to the running prediction (or setup) via AsyncLocalStorage.
import { AsyncLocalStorage } from "node:async_hooks";
import { format } from "node:util";

/** Where captured text for one prediction (or for setup) goes. */
export interface LogSink {
  append(text: string): void;
}

const storage = new AsyncLocalStorage<LogSink>();
let installed = false;
/** >0 while a patched console method writes through to the stream, so that write is not captured twice. */
let consoleDepth = 0;

/** Runs `fn` with every log written inside it (synchronously or after awaits) attributed to `sink`. */
export function runWithLogSink<T>(sink: LogSink, fn: () => T): T {
  installLogCapture();
  return storage.run(sink, fn);
}

/** Writes `text` to the real stdout without capturing it (the echo of ctx.log). */
export function echoToStdout(text: string): void {
  consoleDepth++;
  try {
    process.stdout.write(text);
  } finally {
    consoleDepth--;
  }
}

type ConsoleMethod = "log" | "info" | "debug" | "warn" | "error";

/** Patches console and the std streams once per process. Output is still echoed to the real streams. */
export function installLogCapture(): void {
  if (installed) return;
  installed = true;
  for (const method of ["log", "info", "debug", "warn", "error"] satisfies ConsoleMethod[]) {
    const original = console[method];
    console[method] = function captured(this: Console, ...args: unknown[]): void {
      const sink = storage.getStore();
      if (sink) sink.append(`${format(...args)}\n`);
      consoleDepth++;
      try {
        original.apply(this, args);
      } finally {
        consoleDepth--;
      }
    };
  }
  patchStream(process.stdout);
  patchStream(process.stderr);
}

function patchStream(stream: NodeJS.WriteStream): void {
  const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = function captured(chunk: unknown, ...rest: unknown[]): boolean {
    if (consoleDepth === 0) {
      const sink = storage.getStore();
      if (sink) sink.append(chunkText(chunk));
    }
    return original(chunk, ...rest);
  } as typeof stream.write;
}

function chunkText(chunk: unknown): string {
  if (typeof chunk === "string") return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString("utf8");
  return String(chunk);
}
