// Where a prediction's time went before it ran, from its timeline: metrics.queue_time (waiting for a slot or a
// runner) and metrics.boot_time (the share of the wait spent booting and setting up the instance it ran on).
import type { Prediction, TimelineEntry } from "@ferry/core";

export interface StartTimings {
  queue_time: number;
  boot_time: number;
}

/** Seconds with millisecond precision, as predict_time is reported. */
const seconds = (ms: number): number => Math.round(Math.max(0, ms)) / 1000;

/**
 * Null until the prediction started. The boot counts from the last `booting` entry before the run began (or from
 * the prediction's creation, when the instance was already booting then) to the start of the run.
 */
export function startTimings(p: Pick<Prediction, "createdAt" | "startedAt" | "timeline">): StartTimings | null {
  if (p.startedAt === null) return null;
  const created = Date.parse(p.createdAt);
  const started = Date.parse(p.startedAt);
  const timeline: readonly TimelineEntry[] = p.timeline ?? [];
  const running = timeline.find((e) => e.phase === "running");
  const runAt = running !== undefined ? Date.parse(running.at) : started;
  const boots = timeline.filter((e) => e.phase === "booting" && Date.parse(e.at) <= runAt);
  const lastBoot = boots.at(-1);
  const bootMs = lastBoot === undefined ? 0 : runAt - Math.max(created, Date.parse(lastBoot.at));
  const waitMs = started - created;
  const boot = Math.min(Math.max(0, bootMs), Math.max(0, waitMs));
  return { queue_time: seconds(waitMs - boot), boot_time: seconds(boot) };
}
