// The instance supervisor: one model instance as a child process that speaks Cog HTTP on a loopback port.
// It owns the process (spawn, readiness, exit, stop, kill), the slot count and the output tail.
import { newId } from "@ferry/core";
import type { Clock, Logger, VersionRuntime } from "@ferry/core";
import type { CogClient } from "./cog-client.js";
import { findFreePort } from "./free-port.js";
import { launchCommandFor } from "./instance-launch.js";
import type { InstanceFileSettings } from "./instance-launch.js";
import { describeExit } from "./failure-messages.js";
import { waitForReady } from "./readiness.js";
import type { ReadyResult } from "./readiness.js";
import type { SpareProcesses } from "./spare-process.js";
import { spawnChild } from "./spawn-child.js";
import type { InstanceExit, InstanceInfo, InstanceState } from "./runner-types.js";

export interface Instance {
  readonly id: string;
  readonly version: VersionRuntime;
  readonly baseUrl: string;
  state(): InstanceState;
  /** Why the instance failed (setup, crash, kill), or null. */
  failure(): string | null;
  /** Settles once, when setup is over: ready, or the reason it failed (the process is killed then). */
  readonly ready: Promise<ReadyResult>;
  /** Settles once, when the process is gone and its output drained. Never rejects. */
  readonly exited: Promise<InstanceExit>;
  /** Slots a new prediction may take now: concurrency minus running, 0 unless ready or while held back. */
  freeSlots(): number;
  acquire(predictionId: string): void;
  release(predictionId: string): void;
  running(): string[];
  /** The instance answered 409/503: take no more work until a slot frees or `ms` pass. */
  holdBack(ms: number): void;
  /** Epoch ms since when no prediction has run (null unless ready and empty). */
  idleSince(): number | null;
  /** The last lines the process wrote to stderr. */
  stderrTail(lines?: number): string;
  /** POST /shutdown, SIGKILL if still alive after `graceMs`. Resolves when the process is gone (bounded). */
  stop(graceMs: number): Promise<void>;
  /** SIGKILL now; the instance is failed with `reason`. */
  kill(reason: string): void;
  /** Epoch ms of its phases: spawned, serving health checks (setup began), ready (null until then). */
  timing(): { startedAt: number; setupStartedAt: number | null; readyAt: number | null };
  info(): InstanceInfo;
}

export interface StartInstanceOptions {
  version: VersionRuntime;
  client: CogClient;
  clock: Clock;
  log: Logger;
  setupTimeoutMs: number;
  /** The upload URL and input limits the instance is started with. */
  files?: InstanceFileSettings;
  /** Where a node-runtime instance takes its pre-started process from, when one is there. */
  spares?: SpareProcesses;
}

const HOST = "127.0.0.1";
const EXIT_WAIT_MS = 5_000;

/** Spawns an instance and starts waiting for READY. Resolves as soon as the process is spawned (state "booting"). */
export async function startInstance(options: StartInstanceOptions): Promise<Instance> {
  const { version, client, clock, log } = options;
  const id = newId();
  const port = await findFreePort(HOST);
  const launch = await launchCommandFor(version.runtime, HOST, port, options.files);
  const baseUrl = `http://${HOST}:${port}`;
  const concurrency = Math.max(1, version.runtime.concurrency);
  const running = new Set<string>();
  const startedAt = clock.now().getTime();
  let phase: "booting" | "up" | "stopping" | "stopped" | "failed" = "booting";
  let failure: string | null = null;
  let readyAt: number | null = null;
  let setupStartedAt: number | null = null;
  let idleSince: number | null = null;
  let heldBackUntil = 0;
  let exitInfo: InstanceExit | null = null;
  const setupAbort = new AbortController();

  // The spare's replacement starts once this boot is over (booted() runs when `ready` settles).
  let booted!: () => void;
  const bootOver = new Promise<void>((resolve) => (booted = resolve));
  const fromSpare = options.spares?.take(launch, bootOver) ?? null;
  const { child, output, stderr, exited: childExited, onStatus } = fromSpare ?? spawnChild(launch);
  log.info({ instance: id, version: version.versionId, pid: child.pid, port, spare: fromSpare !== null }, "instance starting");

  // Every consumer of `exited` sees the phase this exit led to.
  const exited = childExited.then(({ code, signal, spawnError }): InstanceExit => {
    exitInfo = { code, signal };
    if (spawnError !== null) {
      failure = `the instance process could not be started: ${spawnError}`;
      phase = "failed";
    } else if (phase === "stopping") phase = "stopped";
    else if (phase !== "failed") {
      failure ??=
        phase === "booting"
          ? withTail(`the instance process exited during setup (${describeExit(exitInfo)})`, stderr.last(20))
          : `the instance process exited unexpectedly (${describeExit(exitInfo)})`;
      phase = "failed";
    }
    log.info({ instance: id, code, signal, failure }, "instance exited");
    return exitInfo;
  });

  const ready = waitForReady({
    client,
    baseUrl,
    budgetMs: options.setupTimeoutMs,
    exited,
    signal: setupAbort.signal,
    cues: (ask) => onStatus(() => ask()),
    onServing: () => (setupStartedAt = clock.now().getTime()),
  }).then((result): ReadyResult => {
    booted();
    if (result.ok && phase === "booting") {
      phase = "up";
      readyAt = idleSince = clock.now().getTime();
      log.info({ instance: id, setupMs: readyAt - startedAt }, "instance ready");
      return result;
    }
    if (phase === "booting") {
      phase = "failed";
      // A one-line reason (timeout) gets the output tail; SETUP_FAILED already carries the setup logs.
      failure = result.ok ? "the instance was stopped during setup" : result.reason.includes("\n") ? result.reason : withTail(result.reason, output.last(20));
      child.kill("SIGKILL");
    }
    return { ok: false, reason: failure ?? "the instance was stopped during setup" };
  });

  const alive = (): boolean => exitInfo === null;
  const exitedWithin = (ms: number): Promise<boolean> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      void exited.then(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });

  const instance: Instance = {
    id,
    version,
    baseUrl,
    ready,
    exited,
    state() {
      if (phase !== "up") return phase;
      return running.size >= concurrency ? "busy" : "ready";
    },
    failure: () => failure,
    freeSlots() {
      if (phase !== "up" || performance.now() < heldBackUntil) return 0;
      return Math.max(0, concurrency - running.size);
    },
    acquire(predictionId) {
      running.add(predictionId);
      idleSince = null;
    },
    release(predictionId) {
      if (!running.delete(predictionId)) return;
      heldBackUntil = 0;
      if (running.size === 0 && phase === "up") idleSince = clock.now().getTime();
    },
    running: () => [...running],
    holdBack(ms) {
      heldBackUntil = performance.now() + ms;
    },
    idleSince: () => (phase === "up" && running.size === 0 ? idleSince : null),
    stderrTail: (lines = 20) => stderr.last(lines),
    async stop(graceMs) {
      if (!alive()) return;
      if (phase === "booting") {
        phase = "stopping";
        setupAbort.abort();
        child.kill("SIGKILL");
      } else if (phase === "up") {
        phase = "stopping";
        await client.shutdown(baseUrl, Math.min(graceMs, 2_000)).catch(() => null);
        if (!(await exitedWithin(graceMs))) child.kill("SIGKILL");
      } else if (phase === "failed") {
        child.kill("SIGKILL");
      }
      if (!(await exitedWithin(EXIT_WAIT_MS))) log.warn({ instance: id, pid: child.pid }, "instance did not exit after SIGKILL");
    },
    kill(reason) {
      if (!alive()) return;
      if (phase !== "stopping") {
        failure = reason;
        phase = "failed";
      }
      setupAbort.abort();
      log.warn({ instance: id, reason }, "killing instance");
      child.kill("SIGKILL");
    },
    timing: () => ({ startedAt, setupStartedAt, readyAt }),
    info() {
      const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
      return {
        id,
        versionId: version.versionId,
        model: version.model,
        state: instance.state(),
        pid: child.pid ?? null,
        port,
        concurrency,
        running: [...running],
        startedAt: new Date(startedAt).toISOString(),
        readyAt: iso(readyAt),
        idleSince: iso(instance.idleSince()),
        failure,
      };
    },
  };
  return instance;
}

function withTail(reason: string, tail: string): string {
  const trimmed = tail.trimEnd();
  return trimmed === "" ? reason : `${reason}\n${trimmed}`;
}
