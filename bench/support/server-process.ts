// Process helpers the benchmarks share: start Ferry as `npm start` does, wait for a booted server's /health, and
// for a child process to exit.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..", "..");

export async function waitForHealth(port: number): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).status === 200) return;
    } catch {
      // starting
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("ferry did not become healthy");
}

export function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once("exit", () => r()));
}

/** The bootstrap token every benchmark's server is started with. */
export const BENCH_TOKEN = "r8_benchToken00000000000000000000000000";

export interface FerryProcess {
  child: ChildProcess;
  port: number;
  /** http://127.0.0.1:<port> */
  base: string;
  /** <base>/v1 */
  api: string;
  /** What the server printed so far (empty when its output is inherited). */
  log(): string;
  /** SIGTERM, wait for the exit, remove the data folder. */
  stop(): Promise<void>;
}

/**
 * Starts `apps/server/src/main.ts` as `npm start` does, on a fresh SQLite data folder and a random port, and waits
 * for /health. Only what a benchmark measures runs: no background default examples and no warm official instances,
 * unless `env` (applied last) asks for them.
 */
export async function startFerry(env: Record<string, string> = {}, options: { inheritOutput?: boolean } = {}): Promise<FerryProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), "ferry-bench-"));
  const port = 18000 + Math.floor(Math.random() * 2000);
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "apps/server/src/main.ts")], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      FERRY_PUBLIC_URL: base,
      FERRY_DATA_DIR: dataDir,
      FERRY_BOOTSTRAP_TOKEN: BENCH_TOKEN,
      FERRY_LOG_LEVEL: "warn",
      FERRY_RUN_EXAMPLES: "false",
      FERRY_OFFICIAL_MIN_INSTANCES: "0",
      ...env,
    },
    stdio: ["ignore", options.inheritOutput === true ? "inherit" : "pipe", options.inheritOutput === true ? "inherit" : "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const stop = async (): Promise<void> => {
    child.kill("SIGTERM");
    await exitOf(child);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForHealth(port);
  } catch (error) {
    await stop();
    throw new Error(`${String(error)}\n${output.slice(-4000)}`);
  }
  return { child, port, base, api: `${base}/v1`, log: () => output, stop };
}
