// Starts `ferry runner` (packages/cli/bin/ferry.js) as its own process against a test server, as an operator would
// on another machine, and reads its runner id from its "runner up" log line.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, sleep } from "./server.js";

export interface RunnerProcess {
  runnerId: string;
  process: ChildProcess;
  output(): string;
  /** Process ids of its model instances (its direct children) whose command line contains `match`. */
  instancePids(match?: string): number[];
  /** SIGTERM (it drains) and wait for the exit, bounded. */
  stop(): Promise<number | null>;
  /** SIGKILL: no drain, no farewell. */
  kill(): Promise<void>;
}

export async function startRunnerProcess(options: { apiUrl: string; token: string; args?: string[] }): Promise<RunnerProcess> {
  const args = [join(REPO_ROOT, "packages/cli/bin/ferry.js"), "runner", "--api", options.apiUrl, "--token", options.token, "--heartbeat-interval", "1", ...(options.args ?? [])];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const runnerId = await waitForRunnerId(() => output, exited);
  return {
    runnerId,
    process: child,
    output: () => output,
    instancePids: (match = "") => childrenOf(child.pid ?? -1).filter((pid) => commandLineOf(pid).includes(match)),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill("SIGTERM");
      const code = await Promise.race([exited, sleep(30_000).then(() => "timeout" as const)]);
      if (code === "timeout") {
        child.kill("SIGKILL");
        throw new Error(`runner did not stop within 30 s after SIGTERM\n${output}`);
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

async function waitForRunnerId(output: () => string, exited: Promise<number | null>): Promise<string> {
  let done = false;
  void exited.then(() => (done = true));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (done) throw new Error(`runner exited before it was up\n${output()}`);
    for (const line of output().split("\n")) {
      if (!line.includes('"runner up"')) continue;
      const id = (JSON.parse(line) as { runner?: unknown }).runner;
      if (typeof id === "string") return id;
    }
    await sleep(50);
  }
  throw new Error(`runner was not up within 30 s\n${output()}`);
}

/** Direct children of a process, from /proc (Linux). */
function childrenOf(pid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The command name may hold spaces and parentheses: the fields after its closing parenthesis are fixed.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}
