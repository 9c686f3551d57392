// The phases a runner sees of a prediction, as timeline entries. They ride on the started and terminal events the
// runner reports anyway, so the timeline costs no write of its own.
import type { PredictionEvent, TimelineEntry } from "@ferry/core";

/** When the phases the runner saw began (epoch ms); null for phases this prediction did not go through. */
export interface RunnerPhases {
  runnerId: string;
  instanceId: string;
  /** The prediction waited for this instance's cold boot: when it was spawned and when its setup began. */
  coldBoot: { bootingAt: number; setupAt: number | null } | null;
  /** When it was handed to the instance. */
  runningAt: number | null;
  /** When the instance began uploading its first output file. */
  uploadingAt: number | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** What the started event carries: the cold boot it waited for (if any) and the start of its run. */
export function startEntries(phases: RunnerPhases): TimelineEntry[] {
  const ids = { instance_id: phases.instanceId, runner_id: phases.runnerId };
  const entries: TimelineEntry[] = [];
  if (phases.coldBoot !== null) {
    entries.push({ phase: "booting", at: iso(phases.coldBoot.bootingAt), reason: "cold boot", ...ids });
    if (phases.coldBoot.setupAt !== null) entries.push({ phase: "setup", at: iso(phases.coldBoot.setupAt), ...ids });
  }
  if (phases.runningAt !== null) entries.push({ phase: "running", at: iso(phases.runningAt), ...ids });
  return entries;
}

/** What the terminal event carries after a started event that had the start entries. */
export function endEntries(phases: RunnerPhases): TimelineEntry[] {
  if (phases.uploadingAt === null) return [];
  return [{ phase: "uploading_output", at: iso(phases.uploadingAt), instance_id: phases.instanceId, runner_id: phases.runnerId }];
}

/** The event with `entries` added when it is one that carries a timeline (started, succeeded, failed). */
export function withTimeline(event: PredictionEvent, entries: TimelineEntry[]): PredictionEvent {
  if (entries.length === 0) return event;
  if (event.type !== "started" && event.type !== "succeeded" && event.type !== "failed") return event;
  return { ...event, timeline: [...(event.timeline ?? []), ...entries] };
}
