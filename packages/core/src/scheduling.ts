// The contract between the scheduler (in the engine) and runners (in-process or over HTTP): registration,
// heartbeats that carry the runner's instances and return the instances it should hold, instance lifecycle
// events (for cold-boot counts and crash-loop detection), and the timeline every prediction records.

/** booting → ready ⇄ busy → stopping → stopped | failed (busy: every slot taken). */
export type InstanceState = "booting" | "ready" | "busy" | "stopping" | "stopped" | "failed";

/** What a runner machine has, as detected when it starts. */
export interface RunnerResources {
  cpus: number;
  memoryBytes: number;
  /** From `nvidia-smi` when present; empty on CPU-only machines. */
  gpus: { name: string; memoryBytes: number | null }[];
}

/** What a runner tells the control plane when it starts (and again whenever a heartbeat says it is unknown). */
export interface RunnerRegistration {
  runnerId: string;
  /** A human name: the host name by default. */
  name: string;
  /** Hardware SKUs it can serve (GET /v1/hardware), e.g. ["cpu"] or ["cpu", "gpu-h100"]. */
  hardware: string[];
  resources: RunnerResources;
  /** Instances it may hold at once, across versions. */
  maxInstances: number;
}

/** One instance as its runner reports it on every heartbeat. Times are ISO strings. */
export interface InstanceReport {
  id: string;
  versionId: string;
  state: InstanceState;
  concurrency: number;
  /** Ids of the predictions holding a slot. */
  running: string[];
  startedAt: string;
  readyAt: string | null;
  idleSince: string | null;
  failure: string | null;
}

/** Lifecycle events of instances: the scheduler counts cold boots and detects crash loops from them. */
export type InstanceEvent =
  | { type: "booting"; instanceId: string; versionId: string; at: string }
  | { type: "ready"; instanceId: string; versionId: string; at: string; bootMs: number; setupMs: number | null }
  | { type: "setup_failed"; instanceId: string; versionId: string; at: string; error: string }
  | { type: "crashed"; instanceId: string; versionId: string; at: string; error: string; running: string[] }
  | { type: "stopped"; instanceId: string; versionId: string; at: string };

/** How many instances of a version the scheduler wants a runner to hold (booting, ready and busy ones count). */
export interface InstanceTarget {
  versionId: string;
  instances: number;
}

export interface HeartbeatReply {
  /** False when the control plane has forgotten this runner (it was declared lost): register again. */
  known: boolean;
  /** Versions not listed have a target of 0: their idle instances stop. Runtimes come from `runtime(versionId)`. */
  targets: InstanceTarget[];
}

/** How a version scales: from its deployments, from being official, or the on-demand defaults. */
export interface ScalingPolicy {
  versionId: string;
  hardware: string;
  minInstances: number;
  maxInstances: number;
  /** Deployments ("owner/name") whose current release is this version; empty for on-demand use. */
  deployments: string[];
}

export type TimelinePhase =
  | "queued"
  | "waiting_for_capacity"
  | "booting"
  | "setup"
  | "running"
  | "uploading_output"
  | "retrying"
  | "succeeded"
  | "failed"
  | "canceled"
  | "aborted";

/** One phase of a prediction's life: when it began and why. Returned as `timeline` in the prediction JSON. */
export interface TimelineEntry {
  phase: TimelinePhase;
  /** ISO time the phase began. */
  at: string;
  reason?: string;
  instance_id?: string;
  runner_id?: string;
  /** 1 for the first try; retries after a platform failure count up. */
  attempt?: number;
}
