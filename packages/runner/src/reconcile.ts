// From the instances a runner holds and the targets the control plane sent, what to do now: which versions to
// boot instances of and which instances to stop. Pure, so every rule is tested without processes.

/** What the plan needs to know of one instance. */
export interface InstanceView {
  id: string;
  versionId: string;
  state: "booting" | "ready" | "busy" | "stopping" | "stopped" | "failed";
  /** Predictions holding a slot. */
  running: number;
  /** Epoch ms since when it has been ready and empty; null otherwise. */
  idleSince: number | null;
  /** Epoch ms it was spawned. */
  startedAt: number;
}

export interface ReconcileInput {
  targets: ReadonlyMap<string, number>;
  instances: readonly InstanceView[];
  /** Boots started but whose instance does not exist yet (the runtime is being fetched, the port chosen). */
  pendingBoots: ReadonlyMap<string, number>;
  maxInstances: number;
  /** Versions that may not boot now (a setup failed a moment ago). */
  holdOff: (versionId: string) => boolean;
}

export interface ReconcilePlan {
  /** One entry per instance to boot. */
  boot: string[];
  /** Instance ids to stop. */
  stop: string[];
}

const LIVE = new Set(["booting", "ready", "busy"]);

export function reconcile(input: ReconcileInput): ReconcilePlan {
  const { targets, instances, pendingBoots, maxInstances } = input;
  const byVersion = new Map<string, InstanceView[]>();
  for (const instance of instances) {
    if (!LIVE.has(instance.state)) continue;
    const list = byVersion.get(instance.versionId) ?? [];
    byVersion.set(instance.versionId, list.concat(instance));
  }
  const stop: string[] = [];
  for (const [versionId, live] of byVersion) {
    const surplus = live.length + (pendingBoots.get(versionId) ?? 0) - (targets.get(versionId) ?? 0);
    if (surplus <= 0) continue;
    // Never one with work on it (it drains first): the longest-idle ready ones, then the newest booting ones.
    const idle = live.filter((i) => i.state === "ready" && i.running === 0).sort((a, b) => (a.idleSince ?? 0) - (b.idleSince ?? 0));
    const booting = live.filter((i) => i.state === "booting").sort((a, b) => b.startedAt - a.startedAt);
    stop.push(...[...idle, ...booting].slice(0, surplus).map((i) => i.id));
  }

  // Every process counts against the capacity until it is gone, stopping ones included.
  let room = maxInstances - instances.filter((i) => i.state !== "stopped" && i.state !== "failed").length;
  for (const n of pendingBoots.values()) room -= n;
  const boot: string[] = [];
  for (const [versionId, target] of targets) {
    if (input.holdOff(versionId)) continue;
    const have = (byVersion.get(versionId)?.length ?? 0) + (pendingBoots.get(versionId) ?? 0);
    for (let i = have; i < target && room > 0; i++, room--) boot.push(versionId);
  }
  return { boot, stop };
}
