// The floor bench/models compares Ferry against: one model's own predict() called in this process, right after
// setup(), with no HTTP, no queue and no file transfer. Run as a child of run.ts:
// `node --import tsx bench/models/direct.ts <entry> <input JSON with local file paths>`. It prints `ready` after
// setup and one warm-up call, then runs one timed predict per line read on stdin and prints its milliseconds,
// so run.ts can alternate direct and Ferry samples and both see the same load on the machine.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { createInterface } from "node:readline";
import { loadModel } from "@ferry/sdk";
import type { PredictContext } from "@ferry/sdk";

const [entry, inputJson] = process.argv.slice(2);
if (entry === undefined || inputJson === undefined) throw new Error("usage: direct.ts <entry> <input JSON>");

const definition = await loadModel(entry);
const folder = await mkdtemp(join(tmpdir(), "ferry-bench-direct-"));
let files = 0;

/** What the SDK hands predict, minus the transport: outputs are written to a temp folder and not uploaded. */
function context(id: string): PredictContext {
  return {
    id,
    signal: new AbortController().signal,
    log: () => undefined,
    recordMetric: () => undefined,
    files: {
      async write(name, data) {
        const path = join(folder, `${files++}-${name}`);
        await writeFile(path, data);
        return path;
      },
      contentType: (path) => (extname(path) === ".png" ? "image/png" : "application/octet-stream"),
    },
  };
}

/** The example input: file inputs are local paths here (the instance hands predict local copies too). */
const localInput = JSON.parse(inputJson) as Record<string, unknown>;
/** Values the schema sees for file inputs: it takes URLs, not paths; predict then gets the paths back. */
const PLACEHOLDER_URL = "https://bench.invalid/file";
const isPath = (value: unknown) => typeof value === "string" && value.startsWith("/");
const fileKeys = Object.keys(localInput).filter((key) => {
  const value = localInput[key];
  return isPath(value) || (Array.isArray(value) && value.some(isPath));
});

async function predictOnce(n: number): Promise<number> {
  const started = performance.now();
  // Parsed as the instance parses it (defaults applied), inside the timing as it is there.
  const forSchema = { ...localInput };
  for (const key of fileKeys) {
    const value = localInput[key];
    forSchema[key] = Array.isArray(value) ? value.map((v) => (isPath(v) ? PLACEHOLDER_URL : v)) : PLACEHOLDER_URL;
  }
  const input = { ...(definition.input.parse(forSchema) as Record<string, unknown>) };
  for (const key of fileKeys) input[key] = localInput[key];
  const result: unknown = await definition.predict(input as never, context(`direct-${n}`));
  if (result !== null && typeof result === "object" && Symbol.asyncIterator in result) {
    for await (const item of result as AsyncIterable<unknown>) void item;
  }
  return performance.now() - started;
}

await definition.setup?.({ log: () => undefined });
await predictOnce(0); // the first call warms caches and JIT, as the first request through Ferry does
process.stdout.write("ready\n");
let n = 0;
for await (const line of createInterface({ input: process.stdin })) {
  if (line !== "go") break;
  process.stdout.write(`${await predictOnce(++n)}\n`);
}
await rm(folder, { recursive: true, force: true });
process.exit(0);
