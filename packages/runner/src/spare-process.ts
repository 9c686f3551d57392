// One idle, pre-started node instance process (a "spare"): node, tsx and the SDK's server are already loaded, so a
// node-runtime instance launched from it skips most of a cold process start. Taking the spare writes the instance's
// launch message (model entry + environment) to its stdin; a new spare starts once the taken one has finished
// booting, so the next one's start never competes with the boot it was made for.
// A spare is no instance: the control plane never hears of it and it takes no room in maxInstances. It dies with
// the runner as instances do: its stdin is its lifeline from the start, and it is in the child registry.
import type { Logger } from "@ferry/core";
import { spareLaunchCommand } from "./instance-launch.js";
import type { LaunchCommand } from "./instance-launch.js";
import { spawnChild } from "./spawn-child.js";
import type { SpawnedChild } from "./spawn-child.js";

export interface SpareProcesses {
  /** Starts the first spare (in the background). */
  start(): void;
  /**
   * The spare, launched as the instance `launch` describes, or null: no spare is alive yet, `launch` is not a node
   * runtime, or it sets an environment variable node reads only while starting (NODE_OPTIONS, …) differently from
   * the spare's. The next spare starts once `booted` settles (at the latest REFILL_AFTER_MS after the take).
   */
  take(launch: LaunchCommand, booted: Promise<unknown>): SpawnedChild | null;
  /** The idle spare's pid, or null while there is none. */
  pid(): number | null;
  /** Kills the idle spare and starts no more. Resolves once it is gone (bounded). */
  close(): Promise<void>;
}

/** A spare that died on its own is replaced after this long, doubling up to the cap (never a hot loop). */
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 60_000;
/** A boot that takes longer than this (a long model setup) does not keep the next spare waiting. */
const REFILL_AFTER_MS = 2_000;
const EXIT_WAIT_MS = 5_000;
/** Read by node (or libuv) only while the process starts: a spare started without them cannot take them later. */
const STARTUP_ONLY_ENV = /^(NODE_|UV_)/;

export function createSpareProcesses(log: Logger): SpareProcesses {
  let spare: { process: SpawnedChild; env: Record<string, string> } | null = null;
  let formatLaunch: ((launch: { entry: string; env: Record<string, string> }) => string) | null = null;
  let closed = false;
  let starting = false;
  let failures = 0;
  let timer: NodeJS.Timeout | null = null;

  async function startSpare(): Promise<void> {
    if (closed || starting || spare !== null) return;
    starting = true;
    try {
      formatLaunch ??= (await import("@ferry/sdk")).formatSpareLaunch;
      const launch = await spareLaunchCommand();
      if (closed) return;
      const spawned = spawnChild(launch);
      const mine = { process: spawned, env: launch.env };
      spare = mine;
      log.debug({ pid: spawned.child.pid }, "spare instance process started");
      void spawned.exited.then(({ code, signal, spawnError }) => {
        // A taken spare is an instance now: its end is the instance's business.
        if (spare !== mine) return;
        spare = null;
        if (closed) return;
        failures += 1;
        const retryInMs = Math.min(RETRY_FIRST_MS * 2 ** (failures - 1), RETRY_MAX_MS);
        const output = spawned.output.last(20);
        log.warn({ pid: spawned.child.pid, code, signal, spawnError, output, retryInMs }, "the spare instance process exited; starting another");
        later(retryInMs);
      });
    } finally {
      starting = false;
    }
  }

  function later(ms: number): void {
    if (closed || timer !== null) return;
    timer = setTimeout(() => {
      timer = null;
      startSpare().catch((error: unknown) => log.warn({ error: error instanceof Error ? error.message : String(error) }, "could not start a spare instance process"));
    }, ms);
    timer.unref();
  }

  const startupEnvMatches = (wanted: Record<string, string>, had: Record<string, string>): boolean => {
    const keys = new Set([...Object.keys(wanted), ...Object.keys(had)].filter((key) => STARTUP_ONLY_ENV.test(key)));
    return [...keys].every((key) => wanted[key] === had[key]);
  };

  return {
    start: () => later(0),
    take(launch, booted) {
      const taken = spare;
      if (taken === null || formatLaunch === null || launch.modelEntry === undefined) return null;
      const { child } = taken.process;
      if (child.exitCode !== null || child.signalCode !== null || child.stdin === null || !child.stdin.writable) return null;
      if (!startupEnvMatches(launch.env, taken.env)) return null;
      spare = null;
      failures = 0;
      child.stdin.write(formatLaunch({ entry: launch.modelEntry, env: launch.env }));
      const refill = setTimeout(() => later(0), REFILL_AFTER_MS);
      refill.unref();
      const refillNow = () => {
        clearTimeout(refill);
        later(0);
      };
      void booted.then(refillNow, refillNow);
      return taken.process;
    },
    pid: () => spare?.process.child.pid ?? null,
    async close() {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      const idle = spare;
      spare = null;
      if (idle === null) return;
      idle.process.child.kill("SIGKILL");
      await Promise.race([idle.process.exited, new Promise((resolve) => setTimeout(resolve, EXIT_WAIT_MS).unref())]);
    },
  };
}
