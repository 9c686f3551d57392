// The autoscaler as a pure function: how many instances each version should have (its queued and running work
// over its concurrency, clamped to its policy, held up by instances used within the idle window) and which
// runners hold them (matching hardware, within capacity, where instances of the version already are).
import type { InstanceState } from "@ferry/core";

export interface VersionDemand {
  versionId: string;
  /** The hardware SKU its instances need. */
  hardware: string;
  /** Predictions one instance runs at once. */
  concurrency: number;
  minInstances: number;
  maxInstances: number;
  queued: number;
  running: number;
  /** Unhealthy (crash loop): no instance until it recovers. */
  blocked: boolean;
}

export interface PlannedInstance {
  versionId: string;
  state: InstanceState;
  /** Epoch ms since when it has had nothing to do; null while booting or busy. */
  idleSince: number | null;
}

export interface RunnerCapacity {
  runnerId: string;
  hardware: readonly string[];
  maxInstances: number;
  instances: readonly PlannedInstance[];
}

export interface PlanInput {
  versions: readonly VersionDemand[];
  runners: readonly RunnerCapacity[];
  now: number;
  /** An instance idle for this long no longer holds the version's count up (scale down, to zero). */
  idleWindowMs: number;
}

export interface Plan {
  /** runnerId → versionId → instances it should hold. Runners with nothing to hold have an empty map. */
  targets: Map<string, Map<string, number>>;
  /** How many instances each version should have. */
  desired: Map<string, number>;
  /** Instances wanted for work (queued or running) that no runner could take: no matching hardware or no room. */
  unplaced: Map<string, number>;
  /** Each planned version's hardware SKU. */
  hardware: Map<string, string>;
}

const LIVE: ReadonlySet<InstanceState> = new Set(["booting", "ready", "busy"]);

/** clamp(ceil((queued + running) / concurrency), min, max): what the work alone asks for. */
export function desiredForWork(v: Pick<VersionDemand, "queued" | "running" | "concurrency" | "minInstances" | "maxInstances">): number {
  const work = Math.ceil((v.queued + v.running) / Math.max(1, v.concurrency));
  return Math.min(Math.max(work, v.minInstances), v.maxInstances);
}

/** Live instances of a version that were busy within the idle window (or are booting or busy now). */
function recentlyUsed(runners: readonly RunnerCapacity[], versionId: string, now: number, idleWindowMs: number): number {
  let count = 0;
  for (const runner of runners) {
    for (const instance of runner.instances) {
      if (instance.versionId !== versionId || !LIVE.has(instance.state)) continue;
      if (instance.idleSince === null || now - instance.idleSince < idleWindowMs) count += 1;
    }
  }
  return count;
}

export function planInstances(input: PlanInput): Plan {
  const { versions, runners, now, idleWindowMs } = input;
  const targets = new Map<string, Map<string, number>>(runners.map((r) => [r.runnerId, new Map<string, number>()]));
  const used = new Map<string, number>(runners.map((r) => [r.runnerId, 0]));
  const placed = new Map<string, number>();
  const desired = new Map<string, number>();
  const unplaced = new Map<string, number>();

  // Four tiers share the capacity in order: instances with running work (they cannot be stopped; they drain),
  // queued work, warm minimums, then instances kept through their idle window; so an idle warm instance never
  // keeps queued work of another version from a slot.
  const tiers: Map<string, number>[] = [new Map(), new Map(), new Map(), new Map()];
  for (const v of versions) {
    const max = v.blocked ? 0 : v.maxInstances;
    const running = Math.min(Math.ceil(v.running / Math.max(1, v.concurrency)), max);
    const work = Math.min(Math.max(running, Math.ceil((v.queued + v.running) / Math.max(1, v.concurrency))), max);
    const warm = Math.min(Math.max(work, v.minInstances), max);
    const kept = Math.min(Math.max(warm, recentlyUsed(runners, v.versionId, now, idleWindowMs)), max);
    tiers[0]!.set(v.versionId, running);
    tiers[1]!.set(v.versionId, work);
    tiers[2]!.set(v.versionId, warm);
    tiers[3]!.set(v.versionId, kept);
    desired.set(v.versionId, kept);
  }

  const byId = new Map(versions.map((v) => [v.versionId, v]));
  // Deterministic order: the version with the most waiting work is served first, then by id.
  const order = [...versions].sort((a, b) => b.queued + b.running - (a.queued + a.running) || a.versionId.localeCompare(b.versionId));

  for (const [tierIndex, tier] of tiers.entries()) {
    for (const v of order) {
      const want = tier.get(v.versionId) ?? 0;
      let have = placed.get(v.versionId) ?? 0;
      while (have < want) {
        const runner = pickRunner(runners, byId.get(v.versionId)!, targets, used);
        if (runner === null) {
          if (tierIndex <= 1) unplaced.set(v.versionId, want - have);
          break;
        }
        const held = targets.get(runner)!;
        held.set(v.versionId, (held.get(v.versionId) ?? 0) + 1);
        used.set(runner, used.get(runner)! + 1);
        have += 1;
      }
      placed.set(v.versionId, have);
    }
  }
  return { targets, desired, unplaced, hardware: new Map(versions.map((v) => [v.versionId, v.hardware])) };
}

/**
 * The runner for one more instance of `v`: matching hardware and room left; first one holding an instance of
 * `v` that the plan has not counted yet (no boot needed), then the one with the most room (spreads load).
 */
function pickRunner(
  runners: readonly RunnerCapacity[],
  v: VersionDemand,
  targets: Map<string, Map<string, number>>,
  used: Map<string, number>,
): string | null {
  let best: { id: string; warm: boolean; room: number } | null = null;
  for (const runner of runners) {
    if (!runner.hardware.includes(v.hardware)) continue;
    const room = runner.maxInstances - used.get(runner.runnerId)!;
    if (room <= 0) continue;
    const live = runner.instances.filter((i) => i.versionId === v.versionId && LIVE.has(i.state)).length;
    const warm = live > (targets.get(runner.runnerId)!.get(v.versionId) ?? 0);
    const better =
      best === null ||
      (warm && !best.warm) ||
      (warm === best.warm && (room > best.room || (room === best.room && runner.runnerId < best.id)));
    if (better) best = { id: runner.runnerId, warm, room };
  }
  return best?.id ?? null;
}
