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
    // Percentiles only (p50, p95, p50_ms…): other numbers beside them, such as a sample count, are not latencies.
    .filter((entry): entry is [string, number] => typeof entry[1] === "number" && /^p\d+(_ms)?$/.test(entry[0]))
    .map(([key, value]) => [key.replace(/_ms$/, ""), key.endsWith("_ms") ? value / 1000 : value]);
}

/** "2 ready, 1 booting": how many instances are in each state, or null when the server sends no instance list. */
export function instanceStates(d: Deployment): string | null {
  if (!Array.isArray(d.instances)) return null;
  if (d.instances.length === 0) return "none running";
  const counts = new Map<string, number>();
  for (const instance of d.instances) {
    const state = instance.state ?? instance.status ?? "unknown";
    counts.set(state, (counts.get(state) ?? 0) + 1);
  }
  return [...counts].map(([state, n]) => `${n} ${state}`).join(", ");
}
