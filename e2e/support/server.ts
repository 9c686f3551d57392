// Boots the real server (`tsx apps/server/src/main.ts`, as `npm start` does) in a child process.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "./free-port.js";

export const REPO_ROOT = resolve(import.meta.dirname, "..", "..");
export const TEST_TOKEN = "r8_e2eTestToken0000000000000000000000000";

export interface ServerOptions {
  databaseUrl?: string;
  /** Reuse a data dir (and so a SQLite file) across restarts. */
  dataDir?: string;
  port?: number;
  env?: Record<string, string>;
}

export interface RunningServer {
  baseUrl: string;
  apiUrl: string;
  port: number;
  dataDir: string;
  token: string;
  output(): string;
  /** SIGTERM and wait for a clean exit (bounded). */
  stop(): Promise<number | null>;
  /** SIGKILL the server process: no cleanup of any kind runs. */
  kill(): Promise<void>;
  process: ChildProcess;
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "ferry-e2e-"));
  const env: Record<string, string> = {
    ...pickEnv(["PATH", "HOME", "TMPDIR", "LANG"]),
    PORT: String(port),
    HOST: "127.0.0.1",
    FERRY_DATA_DIR: dataDir,
    FERRY_BOOTSTRAP_TOKEN: TEST_TOKEN,
    FERRY_LOG_LEVEL: "warn",
    FERRY_PUBLIC_URL: `http://127.0.0.1:${port}`,
    // Quiet by default: no background example runs, no warm official instances (a test opts in through env).
    FERRY_RUN_EXAMPLES: "false",
    FERRY_OFFICIAL_MIN_INSTANCES: "0",
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...options.env,
  };
  const child = spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "apps/server/src/main.ts")], {
    cwd: REPO_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.once("exit", (code) => resolveExit(code)));

  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForHealth(baseUrl, exited, () => output);
  return {
    baseUrl,
    apiUrl: `${baseUrl}/v1`,
    port,
    dataDir,
    token: TEST_TOKEN,
    output: () => output,
    process: child,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill("SIGTERM");
      const code = await Promise.race([exited, sleep(20_000).then(() => "timeout" as const)]);
      if (code === "timeout") {
        child.kill("SIGKILL");
        throw new Error(`server did not stop within 20 s after SIGTERM\n${output}`);
      }
      return code;
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGKILL");
      await exited;
    },
  };
}

export function removeDataDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

async function waitForHealth(baseUrl: string, exited: Promise<number | null>, output: () => string): Promise<void> {
  let done = false;
  void exited.then(() => (done = true));
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (done) throw new Error(`server exited before it was ready\n${output()}`);
    try {
      const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(1_000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`server was not healthy within 90 s\n${output()}`);
}

function pickEnv(names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = process.env[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}
