// The runner's public types: its options, its handle, and what it tells about its instances.
import type { Clock, ControlPlane, InstanceReport, Logger, RunnerResources } from "@ferry/core";
import type { InputFileOptions } from "./inputs/input-files.js";

/** booting → ready ⇄ busy → stopping → stopped | failed (busy: every slot taken). The scheduler's own type. */
export type { InstanceState } from "@ferry/core";

/** How an instance process ended. */
export interface InstanceExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A snapshot of one instance, for status pages, logs and tests: what a heartbeat reports of it (the InstanceReport
 * of the scheduling contract; times are ISO strings), plus what only this machine knows.
 */
export interface InstanceInfo extends InstanceReport {
  /** "owner/name" of the model. */
  model: string;
  pid: number | null;
  port: number;
}

export interface RunnerOptions {
  controlPlane: ControlPlane;
  /** Identifies this runner's leases. Default: a fresh id per runner. */
  runnerId?: string;
  /** A name for people (status pages, logs). Default: the host name. */
  name?: string;
  /** Hardware SKUs this runner serves (GET /v1/hardware names). Default ["cpu"]. */
  hardware?: string[];
  /** What the machine has. Default: detected at start (CPU cores, memory, GPUs through nvidia-smi). */
  resources?: RunnerResources;
  log?: Logger;
  /** Instances alive at once, across versions (booting and stopping ones count). Default 4. */
  maxInstances?: number;
  /**
   * How often the runner reports its instances and asks which ones it should hold. Default 2 000. Between beats,
   * a plan_changed signal, or work queued for a version it holds no instance of, asks at once.
   */
  heartbeatIntervalMs?: number;
  /**
   * How long a canceled prediction may take to end before its instance is SIGKILLed; also how long a
   * shut-down instance may take to exit. Default 5 000.
   */
  cancelGraceMs?: number;
  /** The setup budget of an instance (cold boot until READY). Default 300 000. */
  setupTimeoutMs?: number;
  /** How often the runner looks for work without being woken (a fallback to signals). Default 1 000. */
  pollIntervalMs?: number;
  /** How often the leases of held predictions are renewed. Default 10 000. */
  leaseRenewIntervalMs?: number;
  /** Idle time is measured with this clock. Default: the system clock. */
  clock?: Clock;
  /** How file inputs are fetched before dispatch: limits, allowed hosts, the server's own URLs. */
  inputs?: InputFileOptions;
  /**
   * Keep one idle node process with tsx and the SDK already loaded (a spare), so a node-runtime instance starts
   * from it instead of a cold process. It is no instance: maxInstances and the control plane never count it. It
   * ends with the runner, like instances. Default true.
   */
  spareProcess?: boolean;
}

export interface Runner {
  /** Opens the webhook receiver, subscribes to signals and starts looking for work. */
  start(): Promise<void>;
  /**
   * Stops taking work, shuts every instance down (SIGKILL after the grace), releases claimed predictions that
   * had not started and fails those that were running. Resolves when every instance process is gone. With
   * `drainMs`, the predictions already running first get that long to end on their own.
   */
  stop(options?: { drainMs?: number }): Promise<void>;
  /** The instances alive now. */
  instances(): InstanceInfo[];
  /** The pid of the idle spare process, or null (none yet, being replaced, or `spareProcess: false`). */
  sparePid(): number | null;
  /** The id its leases and heartbeats carry. */
  readonly runnerId: string;
}
