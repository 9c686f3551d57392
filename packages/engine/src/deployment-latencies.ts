// The latest end-to-end latencies (created → completed) of each deployment's predictions, kept in memory from the
// bus, for the deployment page's "recent latency": no query, no table. Per API node; empty after a restart.
import { isTerminal } from "@ferry/core";
import type { PredictionBus } from "./engine-types.js";

/** Latencies kept per deployment. */
const KEPT = 100;
/** Deployments tracked at once; the least recently ended one is dropped past this. */
const MAX_DEPLOYMENTS = 1_000;

export interface DeploymentLatencies {
  /** Seconds, oldest first, at most KEPT. */
  of(deployment: string): number[];
  stop(): void;
}

export function trackDeploymentLatencies(bus: PredictionBus): DeploymentLatencies {
  const byDeployment = new Map<string, number[]>();
  const stop = bus.subscribeAll(({ prediction }) => {
    const deployment = prediction.deployment ?? null;
    if (deployment === null || !isTerminal(prediction.status) || prediction.completedAt === null) return;
    const seconds = Math.max(0, (Date.parse(prediction.completedAt) - Date.parse(prediction.createdAt)) / 1000);
    const kept = byDeployment.get(deployment) ?? [];
    // Re-inserting moves the deployment to the end of the map's order, so the oldest-ended one is dropped first.
    byDeployment.delete(deployment);
    kept.push(seconds);
    if (kept.length > KEPT) kept.shift();
    byDeployment.set(deployment, kept);
    if (byDeployment.size > MAX_DEPLOYMENTS) byDeployment.delete(byDeployment.keys().next().value as string);
  });
  return { of: (deployment) => [...(byDeployment.get(deployment) ?? [])], stop };
}
