// The life of a model instance process once it knows its model: serve it on $HOST:$PORT, turn stray errors into
// DEFUNCT, stop on SIGTERM/SIGINT, announce its progress to the runner, and exit when the server has closed.
import { writeSync } from "node:fs";
import { loadModel } from "../load-model.js";
import { serveLoadedModel } from "./serve-model.js";

/**
 * What the instance tells the runner on the status pipe (one word a line): "serving" once it listens (the model's
 * setup begins), "setup" once setup has ended (succeeded or failed). The runner reads each line as a cue to ask
 * GET /health-check at once instead of at its next poll; the health answer stays the only authority.
 */
export type InstanceAnnouncement = "serving" | "setup";

/** The file descriptor of the status pipe: the runner sets FERRY_STATUS_FD when it passes one (see spawn-child.ts). */
function statusFd(): number | null {
  const fd = Number(process.env["FERRY_STATUS_FD"] ?? "");
  return Number.isInteger(fd) && fd > 2 ? fd : null;
}

function announce(word: InstanceAnnouncement): void {
  const fd = statusFd();
  if (fd === null) return;
  try {
    writeSync(fd, `${word}\n`);
  } catch {
    // The runner is gone (EPIPE) or passed no pipe after all: the health check still tells everything.
  }
}

/** Reads PORT and HOST now (a spare process sets its environment just before), serves `entry` until closed, exits. */
export async function runInstance(entry: string): Promise<never> {
  const port = Number(process.env["PORT"] ?? "5000");
  const host = process.env["HOST"] || "127.0.0.1";
  const server = await serveLoadedModel(() => loadModel(entry), { port, host });
  announce("serving");
  void server.setupEnded.then(() => announce("setup"));

  // A stray error leaves the model in an unknown state: report DEFUNCT (health keeps answering) instead of dying,
  // so the runner can read why and replace the instance.
  const defunct = (error: unknown) => {
    process.stderr.write(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    server.markDefunct(error instanceof Error ? error.message : String(error));
  };
  process.on("uncaughtException", defunct);
  process.on("unhandledRejection", defunct);

  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(1);
    stopping = true;
    void server.close();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);

  await server.closed;
  process.exit(0);
}

/**
 * The runner keeps our stdin open as a lifeline: when the runner dies (even by SIGKILL, which runs no cleanup) the
 * pipe closes and this process must not live on as an orphan. `onData` sees what the runner writes (a spare's
 * launch message); other instances ignore it.
 */
export function exitWithParent(onData: (chunk: string) => void = () => {}): void {
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", onData);
  process.stdin.once("close", () => process.exit(1));
  process.stdin.once("end", () => process.exit(1));
}
