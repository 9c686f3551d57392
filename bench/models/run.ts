// bench/models: for each official model with an example, in one run on this machine:
// - cold boot: an instance process spawned as the runner spawns it, until its /health-check says READY;
// - Ferry p50: sync predictions (`Prefer: wait`) of the model's default example through Ferry's HTTP API, with a
//   warm instance (the input files are fetched from Ferry, output files uploaded to it, as for any client);
// - direct p50: the same model's predict() called in-process right after setup(), with the same input;
// - the ratio Ferry / direct (target ≤ 1.05), the milliseconds Ferry adds, and the peak RSS of Ferry's instance
//   process (Linux: VmHWM).
// `npx tsx bench/models/run.ts [model …]`; BENCH_MODEL_SAMPLES (default 20) caps the samples per model, and a
// model gets fewer when 20 s of them are spent.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { INSTANCE_BIN_PATH } from "@ferry/sdk";
import { BENCH_TOKEN, exitOf, startFerry } from "../support/server-process.js";

const ROOT = resolve(import.meta.dirname, "..", "..");
const TOKEN = BENCH_TOKEN;
const MAX_SAMPLES = Number(process.env["BENCH_MODEL_SAMPLES"] ?? "20");
const SAMPLE_BUDGET_MS = 20_000;
const BOOT_TIMEOUT_MS = 180_000;

interface Manifest {
  owner: string;
  name: string;
  predict: string;
  examples?: { name: string; input: Record<string, unknown> }[];
}

interface ModelResult {
  model: string;
  cold_boot_ms: number;
  ferry_p50_ms: number;
  direct_p50_ms: number;
  ratio: number;
  /** Ferry p50 minus direct p50: the fixed cost of a request, which dominates for models that take no time. */
  added_ms: number;
  peak_rss_mb: number | null;
  samples: number;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const models = officialModels().filter((m) => only.length === 0 || only.includes(m.name) || only.includes(`${m.owner}/${m.name}`));
  // Only what is measured runs: no background examples, no warm pool, one instance at a time.
  const ferry = await startFerry({ FERRY_MAX_INSTANCES: "1" }, { inheritOutput: true });
  const base = ferry.base;
  const results: ModelResult[] = [];
  try {
    for (const manifest of models) {
      const ref = `${manifest.owner}/${manifest.name}`;
      try {
        const result = await benchModel(manifest, base, ferry.child.pid ?? 0);
        results.push(result);
        console.log(`${ref}: ${JSON.stringify(result)}`);
      } catch (error) {
        console.log(`${ref}: skipped: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  } finally {
    await ferry.stop();
  }

  const date = new Date().toISOString();
  const report = {
    date,
    machine: `${cpus().length} cores, ${cpus()[0]?.model ?? "unknown cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
    max_samples: MAX_SAMPLES,
    models: results,
  };
  writeFileSync(join(ROOT, "bench/results", `models-${date.slice(0, 19).replace(/:/g, "")}.json`), JSON.stringify(report, null, 2));
  console.log(`\n${report.machine}\n`);
  console.log("| model | cold boot ms | Ferry p50 ms | direct p50 ms | Ferry / direct | added ms | peak RSS MB | samples |");
  console.log("|---|---|---|---|---|---|---|---|");
  for (const r of results) {
    console.log(`| \`${r.model}\` | ${Math.round(r.cold_boot_ms)} | ${r.ferry_p50_ms.toFixed(1)} | ${r.direct_p50_ms.toFixed(1)} | ${r.ratio.toFixed(3)} | ${r.added_ms.toFixed(1)} | ${r.peak_rss_mb ?? "—"} | ${r.samples} |`);
  }
}

/** models/*\/ferry.json with at least one example, sorted by name. */
function officialModels(): (Manifest & { folder: string })[] {
  const dir = join(ROOT, "models");
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, "ferry.json")))
    .map((e) => ({ ...(JSON.parse(readFileSync(join(dir, e.name, "ferry.json"), "utf8")) as Manifest), folder: join(dir, e.name) }))
    .filter((m) => (m.examples ?? []).length > 0)
    .sort((a, b) => a.name.localeCompare(b.name));
}

async function benchModel(manifest: Manifest & { folder: string }, base: string, ferryPid: number): Promise<ModelResult> {
  const ref = `${manifest.owner}/${manifest.name}`;
  const example = manifest.examples![0]!.input;
  const entry = join(manifest.folder, manifest.predict);
  // The same example, two ways: URLs Ferry serves (what a client sends) and local paths (what predict() gets).
  const viaFerry = mapFiles(example, (path) => `${base}/v1/models/${ref}/files/${path}`);
  const local = mapFiles(example, (path) => join(manifest.folder, path));

  const coldBootMs = await coldBoot(entry);

  // First request: Ferry boots its own instance. Then samples alternate, one through Ferry's warm instance and one
  // direct call, so both see the same load on this shared machine.
  await predictThroughFerry(base, ref, viaFerry, BOOT_TIMEOUT_MS);
  const direct = await startDirect(entry, local);
  const ferryTimes: number[] = [];
  const directTimes: number[] = [];
  try {
    const budgetEnds = Date.now() + SAMPLE_BUDGET_MS;
    while (ferryTimes.length < MAX_SAMPLES && (ferryTimes.length < 5 || Date.now() < budgetEnds)) {
      const started = performance.now();
      await predictThroughFerry(base, ref, viaFerry, 60_000);
      ferryTimes.push(performance.now() - started);
      directTimes.push(await direct.sample());
    }
  } finally {
    await direct.stop();
  }
  const instancePid = instanceOf(ferryPid, entry);
  const peakRssMb = instancePid === null ? null : peakRss(instancePid);
  const ferryP50 = median(ferryTimes);
  const directP50 = median(directTimes);
  return {
    model: ref,
    cold_boot_ms: Math.round(coldBootMs),
    ferry_p50_ms: round(ferryP50),
    direct_p50_ms: round(directP50),
    ratio: Math.round((ferryP50 / directP50) * 1000) / 1000,
    added_ms: round(ferryP50 - directP50),
    peak_rss_mb: peakRssMb,
    samples: ferryTimes.length,
  };
}

/** Replaces every "examples/…" value (and array item) with `to(path)`. */
function mapFiles(input: Record<string, unknown>, to: (path: string) => string): Record<string, unknown> {
  const one = (v: unknown) => (typeof v === "string" && v.startsWith("examples/") ? to(v) : v);
  return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, Array.isArray(v) ? v.map(one) : one(v)]));
}

/** Spawns an instance as the runner does and times it from spawn to READY; then stops it. */
async function coldBoot(entry: string): Promise<number> {
  const port = 20000 + Math.floor(Math.random() * 10000);
  const started = performance.now();
  const child = spawn(process.execPath, ["--import", "tsx", INSTANCE_BIN_PATH, entry], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", COG_MAX_CONCURRENCY: "1" },
    stdio: ["pipe", "ignore", "inherit"],
  });
  try {
    const deadline = Date.now() + BOOT_TIMEOUT_MS;
    while (Date.now() < deadline) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/health-check`, { signal: AbortSignal.timeout(1_000) });
        const status = ((await res.json()) as { status?: string }).status;
        if (status === "READY") return performance.now() - started;
        if (status === "SETUP_FAILED") throw new Error("setup failed");
      } catch (error) {
        if (error instanceof Error && error.message === "setup failed") throw error;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error("instance did not become READY");
  } finally {
    child.kill("SIGTERM");
    await exitOf(child);
  }
}

async function predictThroughFerry(base: string, ref: string, input: Record<string, unknown>, timeoutMs: number): Promise<void> {
  const res = await fetch(`${base}/v1/models/${ref}/predictions`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", prefer: "wait=60" },
    body: JSON.stringify({ input }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await res.json()) as { status?: string; error?: unknown; urls?: { get: string } };
  if (res.status !== 201) throw new Error(`HTTP ${res.status}: ${JSON.stringify(body)}`);
  if (body.status === "succeeded") return;
  if (body.status === "failed" || body.status === "canceled") throw new Error(`prediction ${body.status}: ${String(body.error)}`);
  // The sync wait ran out (a cold boot longer than 60 s): poll until it ends.
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    const poll = (await (await fetch(body.urls!.get, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { status: string; error?: unknown };
    if (poll.status === "succeeded") return;
    if (poll.status === "failed" || poll.status === "canceled") throw new Error(`prediction ${poll.status}: ${String(poll.error)}`);
  }
  throw new Error("prediction did not end in time");
}

/** Starts bench/models/direct.ts on the model and resolves once it is set up and warm. */
async function startDirect(entry: string, input: Record<string, unknown>): Promise<{ sample(): Promise<number>; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "bench/models/direct.ts"), entry, JSON.stringify(input)], {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = exitOf(child).then(() => ({ done: true, value: "" }));
  const next = async (): Promise<string> => {
    const line = await Promise.race([lines.next(), exited]);
    if (line.done === true) throw new Error("the direct run exited early");
    return String(line.value);
  };
  const timeout = <T>(promise: Promise<T>) =>
    Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("the direct run timed out")), BOOT_TIMEOUT_MS).unref())]);
  if ((await timeout(next())) !== "ready") throw new Error("the direct run did not start");
  return {
    async sample() {
      child.stdin.write("go\n");
      return Number(await timeout(next()));
    },
    async stop() {
      child.stdin.end();
      await exitOf(child);
    },
  };
}

/** The pid of the server's child running `entry` (Linux /proc), or null. */
function instanceOf(serverPid: number, entry: string): number | null {
  try {
    const children = readFileSync(`/proc/${serverPid}/task/${serverPid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
    return children.find((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(entry)) ?? null;
  } catch {
    return null;
  }
}

/** Peak resident set size of a process in MB (VmHWM), or null where /proc is not there. */
function peakRss(pid: number): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Math.round(Number(match[1]) / 1024) : null;
  } catch {
    return null;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

await main();
