// The live numbers a server may add to a deployment (instances, queue, latency), read whatever their shape.
import type { Deployment } from "../api/types.js";

export function instanceCount(d: Deployment): number | null {
  if (typeof d.instances === "number") return d.instances;
  if (Array.isArray(d.instances)) return d.instances.length;
  const n = d.current_instances ?? d.instance_count;
  return typeof n === "number" ? n : null;
}

export function queueDepth(d: Deployment): number | null {
  const n = d.queue_depth ?? d.queued ?? d.queue;
  return typeof n === "number" ? n : null;
}

/** Latency figures as label → seconds (p50, p95, …), from a number or an object of numbers (ms or s). */
export function latencies(d: Deployment): [string, number][] {
  const raw = d.latency ?? d.recent_latency;
  if (typeof raw === "number") return [["recent", raw]];
  if (raw === null || typeof raw !== "object") return [];
  return Object.entries(raw as Record<string, unknown>)
    .filter((entry): entry is [string, number] => typeof entry[1] === "number")
    .map(([key, value]) => [key.replace(/_ms$/, ""), key.endsWith("_ms") ? value / 1000 : value]);
}
