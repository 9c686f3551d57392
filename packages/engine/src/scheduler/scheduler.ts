// The scheduler: a registry of live runners, the autoscaling plan computed from queued and running work, what each
// runner should hold (its heartbeat's reply), lost-runner recovery, crash-loop detection and cold-boot counts.
// Its state is memory only and rebuilt from heartbeats; the queue itself is the predictions table. Several API nodes
// each plan from the runners that beat to them (no leader election: see docs/01-prediction-path.md).
import type {
  Clock,
  HeartbeatReply,
  InstanceEvent,
  InstanceReport,
  InstanceState,
  Logger,
  RunnerRegistration,
  ScalingPolicy,
  Store,
  TimelineEntry,
} from "@ferry/core";
import type { Catalog } from "../catalog.js";
import { modelRef } from "../catalog.js";
import type { PredictionWriter } from "../prediction-writer.js";
import type { RunnerSignals } from "../runner-signals.js";
import { createPolicies } from "./policies.js";
import type { Retries } from "./retries.js";
import { createRunnerRegistry } from "./runner-registry.js";
import type { RunnerRecord } from "./runner-registry.js";
import { planInstances } from "./scaling-plan.js";
import type { Plan, VersionDemand } from "./scaling-plan.js";
import { createVersionHealth } from "./version-health.js";
import type { CrashLoopPolicy, Unhealthy } from "./version-health.js";

/** The lease owner the scheduler claims with when it fails a crash-looping version's queue. */
const SCHEDULER_RUNNER_ID = "ferry-scheduler";
/** Queued predictions one crash-loop verdict fails at most (the rest fail as they arrive or on the next verdict). */
const MAX_FAILED_CLAIMS = 10_000;
/** A plan is reused this long when nothing it depends on is known to have changed. */
const PLAN_MAX_AGE_MS = 1_000;

export interface SchedulerOptions {
  officialMinInstances: number;
  onDemandMaxInstances: number;
  /** An instance idle for this long stops counting toward its version's instances (scale down, to zero). */
  idleWindowMs: number;
  /** A runner silent for this long is lost: its unstarted work is re-queued, its running work fails. */
  runnerLostMs: number;
  /** How often lost runners are looked for. */
  sweepMs: number;
  crashLoop: CrashLoopPolicy;
}

export interface SchedulerDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  catalog: Catalog;
  writer: PredictionWriter;
  signals: RunnerSignals;
  retries: Retries;
  options: SchedulerOptions;
  deploymentPolicies?: () => Promise<ScalingPolicy[]>;
}

/** What GET /metrics and status pages read. */
export interface SchedulerSnapshot {
  runners: { runnerId: string; name: string; hardware: string[]; maxInstances: number; lastSeenAt: string; instances: number }[];
  /** Instances the runners reported, by model and state. */
  instances: { model: string; state: InstanceState; count: number }[];
  /** Queued (not yet claimed) predictions by model. */
  queued: { model: string; count: number }[];
  /** Cold boots since this process started, by model and deployment ("" for on-demand use). */
  coldBoots: { model: string; deployment: string; count: number }[];
  unhealthy: { versionId: string; model: string; reason: string; since: string }[];
}

export interface Scheduler {
  registerRunner(registration: RunnerRegistration): Promise<void>;
  heartbeat(runnerId: string, instances: InstanceReport[]): Promise<HeartbeatReply>;
  instanceEvent(runnerId: string, event: InstanceEvent): Promise<void>;
  /** The version's crash-loop state: new work for it fails fast (or goes to a fallback) while set. */
  unhealthy(versionId: string): Unhealthy | null;
  /** Forgets runners silent past the runner-lost window and recovers their leases. Returns how many were lost. */
  sweepLostRunners(): Promise<number>;
  /** Computes the plan now (and tells runners when their targets changed). */
  replan(): Promise<Plan>;
  snapshot(): Promise<SchedulerSnapshot>;
  /** The instances of a version the runners reported in their last heartbeats, with the runner holding each. */
  instancesOf(versionId: string): (InstanceReport & { runnerId: string })[];
  /**
   * The `waiting_for_capacity` entry of a prediction of the version that starts at `startedAt`, when the version's
   * work could not be placed (no runner with its hardware, or none with room) while it was queued. Memory only.
   */
  capacityWait(versionId: string, createdAt: string, startedAt: string): TimelineEntry[];
  start(): void;
  stop(): Promise<void>;
}

export function unhealthyMessage(reason: string): string {
  return `This model version is unhealthy: its instances failed setup repeatedly. Last error: ${reason}`;
}

export function crashedMessage(error: string): string {
  return `The model instance crashed while running this prediction: ${error}`;
}

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { store, clock, log, catalog, writer, signals, retries, options } = deps;
  const registry = createRunnerRegistry();
  const health = createVersionHealth(options.crashLoop);
  const policies = createPolicies({
    store,
    clock,
    catalog,
    officialMinInstances: options.officialMinInstances,
    onDemandMaxInstances: options.onDemandMaxInstances,
    ...(deps.deploymentPolicies !== undefined ? { deploymentPolicies: deps.deploymentPolicies } : {}),
  });
  const coldBoots = new Map<string, { model: string; deployment: string; count: number }>();
  const reportKeys = new Map<string, string>();
  /** The last stretch of time each version had work no runner could take (until null: still so). */
  const capacityWaits = new Map<string, { since: number; until: number | null; reason: string }>();
  let plan: { value: Plan; at: number; key: string } | null = null;
  /** work_queued signals per version since the last plan began: arrivals it may not have seen. */
  const arrivals = new Map<string, number>();
  let computing: Promise<Plan> | null = null;
  let dirty = true;
  let replanQueued = false;
  let timer: NodeJS.Timeout | null = null;
  let sweeping: Promise<unknown> | null = null;
  let unsubscribe: (() => void) | null = null;
  const now = (): number => clock.now().getTime();

  async function computePlan(): Promise<Plan> {
    const at = now();
    const [queued, explicit] = await Promise.all([store.predictions.queuedVersions(), policies.explicit()]);
    const runners = registry.all();
    const queuedBy = new Map(queued.map((q) => [q.versionId, q.count]));
    const runningBy = new Map<string, number>();
    const versionIds = new Set<string>([...explicit.keys(), ...queuedBy.keys()]);
    for (const runner of runners) {
      for (const instance of runner.instances) {
        versionIds.add(instance.versionId);
        runningBy.set(instance.versionId, (runningBy.get(instance.versionId) ?? 0) + instance.running.length);
      }
    }
    const demands: VersionDemand[] = [];
    for (const versionId of versionIds) {
      const policy = explicit.get(versionId) ?? (await policies.of(versionId));
      if (policy === null) continue;
      const version = await catalog.version(versionId);
      demands.push({
        versionId,
        hardware: policy.hardware,
        concurrency: version?.runtime.concurrency ?? 1,
        minInstances: policy.minInstances,
        maxInstances: policy.maxInstances,
        queued: queuedBy.get(versionId) ?? 0,
        running: runningBy.get(versionId) ?? 0,
        blocked: health.unhealthy(versionId, at) !== null,
      });
    }
    return planInstances({ versions: demands, runners: runners.map(capacityOf), now: at, idleWindowMs: options.idleWindowMs });
  }

  /** The current plan: reused while fresh, otherwise computed once however many callers wait for it. */
  function currentPlan(): Promise<Plan> {
    if (computing !== null) return computing;
    if (plan !== null && !dirty && now() - plan.at < PLAN_MAX_AGE_MS) return Promise.resolve(plan.value);
    dirty = false;
    arrivals.clear();
    const started = now();
    computing = computePlan()
      .then((value) => {
        const key = targetsKey(value);
        const changed = plan !== null && plan.key !== key;
        plan = { value, at: started, key };
        recordCapacityWaits(value, started);
        // Runners learn of a change at once instead of at their next heartbeat (a cold boot starts right away).
        if (changed) signals.emit({ type: "plan_changed" });
        return value;
      })
      .catch((error: unknown) => {
        dirty = true;
        throw error;
      })
      .finally(() => {
        computing = null;
      });
    return computing;
  }

  function recordCapacityWaits(value: Plan, at: number): void {
    for (const [versionId, wait] of capacityWaits) {
      if (wait.until === null && !value.unplaced.has(versionId)) wait.until = at;
    }
    for (const [versionId, missing] of value.unplaced) {
      const open = capacityWaits.get(versionId);
      if (open !== undefined && open.until === null) continue;
      const hardware = value.hardware.get(versionId) ?? "?";
      const matching = registry.all().some((r) => r.registration.hardware.includes(hardware));
      const reason = matching ? `every runner with ${hardware} hardware is full` : `no runner has ${hardware} hardware`;
      capacityWaits.set(versionId, { since: at, until: null, reason });
      log.info({ version: versionId, missing, reason }, "work is waiting for capacity");
    }
  }

  function queueReplan(): void {
    dirty = true;
    if (replanQueued) return;
    replanQueued = true;
    setImmediate(() => {
      replanQueued = false;
      currentPlan().catch((error: unknown) => log.error({ err: error }, "scheduling plan failed"));
    });
  }

  /**
   * Records one arrival of work for a version; true when some runner is meant to hold an instance of it. Work for
   * a version with none needs a plan now (a cold boot); more work for a placed version is planned for at the next
   * heartbeat (scale-up within one heartbeat interval), so the warm path costs a few map lookups and no query.
   */
  function placedOnArrival(versionId: string): boolean {
    arrivals.set(versionId, (arrivals.get(versionId) ?? 0) + 1);
    if (plan === null) return false;
    for (const held of plan.value.targets.values()) if ((held.get(versionId) ?? 0) > 0) return true;
    return false;
  }

  async function deploymentsOf(versionId: string): Promise<string[]> {
    return (await policies.explicit()).get(versionId)?.deployments ?? [];
  }

  async function modelOf(versionId: string): Promise<string> {
    const version = await catalog.version(versionId);
    const model = version === null ? null : await catalog.modelById(version.modelId);
    return model === null ? versionId : modelRef(model);
  }

  /** Fails a crash-looping version's queued work now with the setup error, rather than leaving it to wait. */
  async function failQueued(versionId: string, reason: string): Promise<number> {
    let failed = 0;
    const leaseUntil = new Date(now() + 60_000).toISOString();
    for (let i = 0; i < MAX_FAILED_CLAIMS; i += 1) {
      const row = await store.predictions.claim({ runnerId: SCHEDULER_RUNNER_ID, versionId, leaseUntil });
      if (row === null) break;
      const result = await writer.apply(row.id, { type: "failed", error: unhealthyMessage(reason) }, {
        candidate: row,
        guard: (current) => current.leaseOwner === SCHEDULER_RUNNER_ID,
      });
      if (result.kind === "applied") failed += 1;
    }
    return failed;
  }

  /** Fails the predictions a crashed instance was running (the runner may have reported them already). */
  async function failCrashed(runnerId: string, ids: readonly string[], error: string): Promise<void> {
    for (const id of ids) {
      const result = await writer.apply(id, { type: "failed", error: crashedMessage(error) }, { useCache: true, guard: (row) => row.leaseOwner === runnerId });
      if (result.kind === "applied") log.warn({ prediction: id, runner: runnerId }, "prediction failed: its instance crashed");
    }
  }

  async function recoverLost(record: RunnerRecord): Promise<void> {
    const runnerId = record.registration.runnerId;
    const held = await store.predictions.findLeased({ runnerIds: [runnerId] });
    let requeued = 0;
    let failed = 0;
    for (const row of held) {
      if (row.status === "starting") {
        if ((await retries.retry(row, runnerId, "runner lost")) === "requeued") requeued += 1;
        else failed += 1;
      } else {
        const result = await writer.apply(row.id, { type: "runner_lost" }, { candidate: row, guard: (current) => current.leaseOwner === runnerId });
        if (result.kind === "applied") failed += 1;
      }
    }
    log.warn({ runner: runnerId, name: record.registration.name, requeued, failed }, "runner lost: no heartbeat within the runner-lost window");
  }

  async function sweepLostRunners(): Promise<number> {
    const lost = registry.forgetSilent(now() - options.runnerLostMs);
    for (const record of lost) {
      reportKeys.delete(record.registration.runnerId);
      await recoverLost(record);
    }
    if (lost.length > 0) queueReplan();
    return lost.length;
  }

  return {
    async registerRunner(registration) {
      registry.register(registration, now());
      reportKeys.delete(registration.runnerId);
      log.info({ runner: registration.runnerId, name: registration.name, hardware: registration.hardware, maxInstances: registration.maxInstances }, "runner registered");
      dirty = true;
    },

    async heartbeat(runnerId, instances) {
      if (!registry.beat(runnerId, instances, now())) return { known: false, targets: [] };
      const key = reportKey(instances);
      if (arrivals.size > 0) dirty = true;
      if (reportKeys.get(runnerId) !== key) {
        reportKeys.set(runnerId, key);
        dirty = true;
      }
      let value = await currentPlan();
      // A plan computed while the runner registered does not name it yet: one more, so it is never told to hold nothing.
      if (!value.targets.has(runnerId)) value = await currentPlan();
      const held = value.targets.get(runnerId);
      // The runner may have been forgotten while the plan was computed.
      if (registry.get(runnerId) === undefined) return { known: false, targets: [] };
      if (held === undefined) throw new Error(`no plan names runner ${runnerId}`);
      return { known: true, targets: [...held].filter(([, n]) => n > 0).map(([versionId, n]) => ({ versionId, instances: n })) };
    },

    async instanceEvent(runnerId, event) {
      switch (event.type) {
        case "booting": {
          const model = await modelOf(event.versionId);
          const deployments = await deploymentsOf(event.versionId);
          for (const deployment of deployments.length > 0 ? deployments : [""]) {
            const key = `${model}\u0000${deployment}`;
            const entry = coldBoots.get(key) ?? { model, deployment, count: 0 };
            entry.count += 1;
            coldBoots.set(key, entry);
          }
          log.info({ runner: runnerId, instance: event.instanceId, version: event.versionId, model }, "cold boot");
          return;
        }
        case "ready":
          if (health.ready(event.versionId)) {
            log.info({ version: event.versionId }, "version healthy again: an instance became ready");
            queueReplan();
          }
          return;
        case "setup_failed": {
          const verdict = health.setupFailed(event.versionId, event.error, now());
          log.error({ runner: runnerId, instance: event.instanceId, version: event.versionId, error: event.error }, "instance setup failed");
          if (verdict === null) return;
          const failed = await failQueued(event.versionId, event.error);
          log.error({ version: event.versionId, failed }, "version unhealthy (crash loop): its queued predictions failed");
          queueReplan();
          return;
        }
        case "crashed":
          await failCrashed(runnerId, event.running, event.error);
          return;
        case "stopped":
          return;
      }
    },

    unhealthy: (versionId) => health.unhealthy(versionId, now()),

    capacityWait(versionId, createdAt, startedAt) {
      const wait = capacityWaits.get(versionId);
      if (wait === undefined) return [];
      const created = Date.parse(createdAt);
      const began = Date.parse(startedAt);
      if (wait.since >= began || (wait.until !== null && wait.until <= created)) return [];
      return [{ phase: "waiting_for_capacity", at: new Date(Math.max(wait.since, created)).toISOString(), reason: wait.reason }];
    },

    sweepLostRunners,

    replan() {
      dirty = true;
      return currentPlan();
    },

    instancesOf(versionId) {
      return registry
        .all()
        .flatMap((runner) => runner.instances.filter((i) => i.versionId === versionId).map((i) => ({ ...i, runnerId: runner.registration.runnerId })));
    },

    async snapshot() {
      const at = now();
      const runners = registry.all();
      const instanceCounts = new Map<string, { model: string; state: InstanceState; count: number }>();
      for (const runner of runners) {
        for (const instance of runner.instances) {
          const model = await modelOf(instance.versionId);
          const key = `${model}\u0000${instance.state}`;
          const entry = instanceCounts.get(key) ?? { model, state: instance.state, count: 0 };
          entry.count += 1;
          instanceCounts.set(key, entry);
        }
      }
      const queuedByModel = new Map<string, number>();
      for (const { versionId, count } of await store.predictions.queuedVersions()) {
        const model = await modelOf(versionId);
        queuedByModel.set(model, (queuedByModel.get(model) ?? 0) + count);
      }
      const unhealthy = [];
      for (const state of health.list(at)) {
        unhealthy.push({ versionId: state.versionId, model: await modelOf(state.versionId), reason: state.reason, since: new Date(state.since).toISOString() });
      }
      return {
        runners: runners.map((r) => ({
          runnerId: r.registration.runnerId,
          name: r.registration.name,
          hardware: [...r.registration.hardware],
          maxInstances: r.registration.maxInstances,
          lastSeenAt: new Date(r.lastSeenAt).toISOString(),
          instances: r.instances.length,
        })),
        instances: [...instanceCounts.values()],
        queued: [...queuedByModel].map(([model, count]) => ({ model, count })),
        coldBoots: [...coldBoots.values()].map((entry) => ({ ...entry })),
        unhealthy,
      };
    },

    start() {
      if (timer !== null) return;
      unsubscribe = signals.subscribe((signal) => {
        if (signal.type === "work_queued" && registry.size() > 0 && !placedOnArrival(signal.versionId)) queueReplan();
      });
      timer = setInterval(() => {
        if (sweeping !== null) return;
        sweeping = sweepLostRunners()
          .then(() => (registry.size() > 0 && plan !== null && now() - plan.at >= PLAN_MAX_AGE_MS ? currentPlan() : null))
          .catch((error: unknown) => log.error({ err: error }, "scheduler sweep failed"))
          .finally(() => {
            sweeping = null;
          });
      }, options.sweepMs);
      timer.unref();
    },

    async stop() {
      unsubscribe?.();
      unsubscribe = null;
      if (timer !== null) clearInterval(timer);
      timer = null;
      await sweeping;
      await computing?.catch(() => undefined);
    },
  };
}

function capacityOf(record: RunnerRecord) {
  return {
    runnerId: record.registration.runnerId,
    hardware: record.registration.hardware,
    maxInstances: record.registration.maxInstances,
    instances: record.instances.map((i) => ({ versionId: i.versionId, state: i.state, idleSince: i.idleSince === null ? null : Date.parse(i.idleSince) })),
  };
}

/** What of a report changes the plan: each instance's version, state, load and whether it is idle. */
function reportKey(instances: readonly InstanceReport[]): string {
  return instances.map((i) => `${i.id}:${i.versionId}:${i.state}:${i.running.length}:${i.idleSince ?? ""}`).join("|");
}

function targetsKey(plan: Plan): string {
  return [...plan.targets]
    .map(([runnerId, held]) => `${runnerId}=${[...held].filter(([, n]) => n > 0).map(([v, n]) => `${v}:${n}`).sort().join(",")}`)
    .sort()
    .join(";");
}
