// One child process with its output captured in bounded tails and its end as a promise that never rejects.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import type { Readable } from "node:stream";
import { registerChild } from "./child-registry.js";
import { STATUS_FD } from "./instance-launch.js";
import type { LaunchCommand } from "./instance-launch.js";
import { createLogTail } from "./log-tail.js";
import type { LogTail } from "./log-tail.js";
import type { InstanceExit } from "./runner-types.js";

export interface SpawnedChild {
  child: ChildProcess;
  /** stdout and stderr interleaved. */
  output: LogTail;
  stderr: LogTail;
  /** Calls `listener` with each line the process writes on its status pipe (see LaunchCommand.statusPipe). */
  onStatus(listener: (line: string) => void): void;
  /** Settles once the process is gone and its pipes drained (or 500 ms later: grandchildren may hold them). */
  exited: Promise<InstanceExit & { spawnError: string | null }>;
}

export function spawnChild(launch: LaunchCommand): SpawnedChild {
  const output = createLogTail();
  const stderr = createLogTail();
  const child = spawn(launch.command, launch.args, {
    cwd: launch.cwd,
    env: launch.env,
    stdio: launch.statusPipe === true ? ["pipe", "pipe", "pipe", "pipe"] : ["pipe", "pipe", "pipe"],
  });
  // stdin stays open and unwritten: it is the instance's lifeline (see FERRY_EXIT_WITH_PARENT in instance-launch.ts).
  child.stdin?.on("error", () => {});
  registerChild(child);
  // When the spawn itself fails (ENOENT), Node leaves the pipes unset and reports an "error" event instead.
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => output.write(chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    output.write(chunk);
    stderr.write(chunk);
  });

  const statusListeners: ((line: string) => void)[] = [];
  let partial = "";
  const status = child.stdio[STATUS_FD] as Readable | null | undefined;
  status?.on("error", () => {});
  status?.setEncoding("utf8").on("data", (chunk: string) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) for (const listener of statusListeners) listener(line);
  });

  const exited = new Promise<InstanceExit & { spawnError: string | null }>((resolve) => {
    child.once("exit", (code, signal) => {
      const timer = setTimeout(() => resolve({ code, signal, spawnError: null }), 500);
      child.once("close", () => {
        clearTimeout(timer);
        resolve({ code, signal, spawnError: null });
      });
    });
    child.once("error", (error) => {
      if (child.pid === undefined) resolve({ code: null, signal: null, spawnError: error.message });
    });
  });
  return { child, output, stderr, exited, onStatus: (listener) => void statusListeners.push(listener) };
}
