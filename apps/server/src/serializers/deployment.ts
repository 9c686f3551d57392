// DeploymentView → DeploymentJSON (spec §3.5). The configuration also carries Ferry's max_queue, fallback and
// retry_crashed, which the official clients pass through untouched.
import type { Account, DeploymentJSON, DeploymentRelease, InstanceReport, InstanceState } from "@ferry/core";
import type { DeploymentHistory, DeploymentView } from "@ferry/engine";
import { serializeAccount } from "./account.js";

export function serializeDeployment({ deployment, createdBy }: DeploymentView): DeploymentJSON {
  return {
    owner: deployment.owner,
    name: deployment.name,
    current_release: serializeRelease(deployment.currentRelease, createdBy),
  };
}

function serializeRelease(release: DeploymentRelease, createdBy: Account): DeploymentJSON["current_release"] {
  const c = release.configuration;
  return {
    number: release.number,
    model: release.model,
    version: release.versionId,
    created_at: release.createdAt,
    created_by: serializeAccount(createdBy),
    configuration: {
      hardware: c.hardware,
      min_instances: c.minInstances,
      max_instances: c.maxInstances,
      max_queue: c.maxQueue,
      fallback: c.fallback,
      retry_crashed: c.retryCrashed,
    },
  };
}

/** What GET /v1/deployments/{owner}/{name} adds to the spec's shape (extra fields the official clients ignore). */
export interface DeploymentLiveJSON {
  /** Every release, newest first. */
  releases: DeploymentJSON["current_release"][];
  /** The current release's instances, as their runners last reported them. */
  instances: { id: string; state: InstanceState; runner_id: string; running: number; concurrency: number; ready_at: string | null }[];
  queue_depth: number;
  /** Created → completed of the latest ended predictions (up to 100, this API node's), in seconds; null before any. */
  recent_latency: { p50: number; p95: number; count: number } | null;
}

export function serializeDeploymentLive(
  history: DeploymentHistory,
  instances: (InstanceReport & { runnerId: string })[],
  latencies: number[],
): DeploymentLiveJSON {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return {
    releases: history.releases.map(({ release, createdBy }) => serializeRelease(release, createdBy)),
    instances: instances.map((i) => ({
      id: i.id,
      state: i.state,
      runner_id: i.runnerId,
      running: i.running.length,
      concurrency: i.concurrency,
      ready_at: i.readyAt,
    })),
    queue_depth: history.queueDepth,
    recent_latency: sorted.length === 0 ? null : { p50: round(at(0.5)), p95: round(at(0.95)), count: sorted.length },
  };
}

const round = (seconds: number): number => Math.round(seconds * 1000) / 1000;
