// A second adapter of the ControlPlane port for runner tests: predictions live in memory and every event goes
// through core's real applyEvent state machine, with the same lease rules as the engine (only the holder reports).
// Its scheduler is deliberately small: per version, enough instances for the queued and running work (at most
// `maxPerVersion`), then a warm one for a version that had work within the idle window, within each runner's
// capacity, work first. A setup failure fails the version's queued work, as the engine's crash-loop rule does.
import { applyEvent, isTerminal, newPredictionId, systemClock } from "@ferry/core";
import type {
  Assignment,
  Clock,
  ControlPlane,
  InstanceEvent,
  InstanceReport,
  InstanceTarget,
  Prediction,
  PredictionEvent,
  RunnerRegistration,
  RunnerSignal,
  Status,
  VersionRuntime,
} from "@ferry/core";

export interface ReportRecord {
  runnerId: string;
  event: PredictionEvent;
  applied: boolean;
}

export interface MemoryControlPlane extends ControlPlane {
  /** Queues a prediction (status "starting") and signals work_queued. */
  enqueue(versionId: string, input?: Record<string, unknown>): Prediction;
  get(id: string): Prediction;
  /** What the API's cancel does: the cancel_requested transition, then a cancel signal for the runner. */
  cancel(id: string): void;
  /** Resolves with the prediction once `predicate` holds; rejects after `timeoutMs`. */
  waitFor(id: string, predicate: (p: Prediction) => boolean, timeoutMs?: number): Promise<Prediction>;
  waitForTerminal(id: string, timeoutMs?: number): Promise<Prediction>;
  /** Every report call for a prediction, in call order. */
  reports(id: string): ReportRecord[];
  /** Prediction ids the runner released, in order. */
  readonly releases: string[];
  /** Every release with the reason it gave (platform failures have one). */
  readonly releaseLog: { predictionId: string; reason: string | undefined }[];
  /** Instance events, in the order they came. */
  readonly instanceEvents: InstanceEvent[];
  /** Registrations, in the order they came (a runner forgotten and back registers again). */
  readonly registrations: RunnerRegistration[];
  /** The instances each runner reported last. */
  lastReport(runnerId: string): InstanceReport[];
  /** Forgets a runner, as the engine does with a lost one: its next heartbeat answers known: false. */
  forget(runnerId: string): void;
  /** Pins a version's target (null: back to the scheduler's own). */
  setTarget(versionId: string, instances: number | null): void;
  /** Output files uploaded through uploadOutput, in order. */
  readonly uploads: UploadRecord[];
}

export interface UploadRecord {
  predictionId: string;
  name: string;
  contentType: string;
  bytes: Buffer;
  /** The URL uploadOutput answered with. */
  url: string;
}

const LEASE_MS = 30_000;

export interface MemorySchedulerOptions {
  /** Instances of one version a runner is asked for at most. Default 1. */
  maxPerVersion?: number;
  /** A version without work keeps a warm instance this long after its last work. Default: forever. */
  idleWindowMs?: number;
}

export function createMemoryControlPlane(versions: VersionRuntime[], clock: Clock = systemClock, scheduler: MemorySchedulerOptions = {}): MemoryControlPlane {
  const maxPerVersion = scheduler.maxPerVersion ?? 1;
  const idleWindowMs = scheduler.idleWindowMs ?? Infinity;
  const runners = new Map<string, RunnerRegistration>();
  const reportsByRunner = new Map<string, InstanceReport[]>();
  const pinned = new Map<string, number>();
  /** When each version last had queued or running work (clock ms). */
  const lastWork = new Map<string, number>();
  const instanceEvents: InstanceEvent[] = [];
  const registrations: RunnerRegistration[] = [];
  const releaseLog: { predictionId: string; reason: string | undefined }[] = [];
  const runtimes = new Map(versions.map((v) => [v.versionId, v]));
  const predictions = new Map<string, Prediction>();
  const reportLog = new Map<string, ReportRecord[]>();
  const listeners = new Set<(signal: RunnerSignal) => void>();
  const watchers = new Set<() => void>();
  const releases: string[] = [];
  const uploads: UploadRecord[] = [];
  const now = (): string => clock.now().toISOString();
  const leaseUntil = (): string => new Date(clock.now().getTime() + LEASE_MS).toISOString();

  const emit = (signal: RunnerSignal): void => {
    for (const listener of listeners) listener(signal);
  };
  const changed = (): void => {
    for (const watcher of [...watchers]) watcher();
  };
  const must = (id: string): Prediction => {
    const p = predictions.get(id);
    if (p === undefined) throw new Error(`unknown prediction ${id}`);
    return p;
  };
  const queued = (p: Prediction): boolean => p.status === "starting" && p.leaseOwner === null;

  /** Work first (oldest version demand first), then warm instances, within the runner's capacity. */
  function targetsFor(runnerId: string): InstanceTarget[] {
    const registration = runners.get(runnerId);
    if (registration === undefined) return [];
    const demand = new Map<string, number>();
    for (const p of predictions.values()) {
      if (isTerminal(p.status) || (p.leaseOwner !== null && p.leaseOwner !== runnerId)) continue;
      demand.set(p.versionId, (demand.get(p.versionId) ?? 0) + 1);
      lastWork.set(p.versionId, clock.now().getTime());
    }
    const wanted = new Map<string, number>();
    let room = registration.maxInstances;
    for (const [versionId, count] of demand) {
      const concurrency = Math.max(1, runtimes.get(versionId)?.runtime.concurrency ?? 1);
      const n = Math.min(Math.ceil(count / concurrency), maxPerVersion, room);
      if (n > 0) wanted.set(versionId, n);
      room -= n;
    }
    for (const [versionId, at] of lastWork) {
      if (room <= 0) break;
      if (wanted.has(versionId) || clock.now().getTime() - at >= idleWindowMs) continue;
      wanted.set(versionId, 1);
      room -= 1;
    }
    for (const [versionId, n] of pinned) wanted.set(versionId, n);
    return [...wanted].map(([versionId, instances]) => ({ versionId, instances }));
  }

  /** What the engine does after a setup failure (here at the first): the version's queued work fails with it. */
  function failQueued(versionId: string, error: string): void {
    for (const p of [...predictions.values()]) {
      if (p.versionId !== versionId || !queued(p)) continue;
      const transition = applyEvent(p, { type: "failed", error: `The model failed to set up: ${error}` }, now());
      if (transition.ok) predictions.set(p.id, transition.next);
    }
    changed();
  }

  const plane: MemoryControlPlane = {
    releases,
    releaseLog,
    uploads,
    instanceEvents,
    registrations,
    async registerRunner(registration) {
      runners.set(registration.runnerId, registration);
      registrations.push(registration);
    },
    async heartbeat(runnerId, instances) {
      if (!runners.has(runnerId)) return { known: false, targets: [] };
      reportsByRunner.set(runnerId, instances);
      return { known: true, targets: targetsFor(runnerId) };
    },
    async runtime(versionId) {
      return runtimes.get(versionId) ?? null;
    },
    async instanceEvent(_runnerId, event) {
      instanceEvents.push(event);
      if (event.type === "setup_failed") failQueued(event.versionId, event.error);
    },
    lastReport: (runnerId) => reportsByRunner.get(runnerId) ?? [],
    forget(runnerId) {
      runners.delete(runnerId);
    },
    setTarget(versionId, instances) {
      if (instances === null) pinned.delete(versionId);
      else pinned.set(versionId, instances);
      emit({ type: "plan_changed" });
    },
    async pendingWork() {
      const counts = new Map<string, number>();
      for (const p of predictions.values()) if (queued(p)) counts.set(p.versionId, (counts.get(p.versionId) ?? 0) + 1);
      return [...counts].flatMap(([versionId, count]) => {
        const version = runtimes.get(versionId);
        return version ? [{ version, queued: count }] : [];
      });
    },
    async claim(runnerId, versionId): Promise<Assignment | null> {
      const next = [...predictions.values()].filter((p) => p.versionId === versionId && queued(p)).sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0];
      if (next === undefined) return null;
      predictions.set(next.id, { ...next, leaseOwner: runnerId, leaseExpiresAt: leaseUntil() });
      changed();
      return { predictionId: next.id, versionId, input: next.input, deadline: next.deadline };
    },
    async report(runnerId, predictionId, event) {
      const p = must(predictionId);
      const log = reportLog.get(predictionId) ?? [];
      reportLog.set(predictionId, log);
      if (p.leaseOwner !== runnerId) {
        log.push({ runnerId, event, applied: false });
        return { applied: false, status: p.status };
      }
      const transition = applyEvent(p, event, now());
      log.push({ runnerId, event, applied: transition.ok });
      if (!transition.ok) return { applied: false, status: p.status };
      predictions.set(predictionId, transition.next);
      changed();
      return { applied: true, status: transition.next.status as Status };
    },
    async release(runnerId, predictionId, reason) {
      const p = must(predictionId);
      if (p.leaseOwner !== runnerId || p.status !== "starting") return;
      releases.push(predictionId);
      releaseLog.push({ predictionId, reason });
      predictions.set(predictionId, { ...p, leaseOwner: null, leaseExpiresAt: null });
      changed();
      emit({ type: "work_queued", versionId: p.versionId });
    },
    async renewLeases(runnerId, ids) {
      for (const id of ids) {
        const p = predictions.get(id);
        if (p && p.leaseOwner === runnerId && !isTerminal(p.status)) predictions.set(id, { ...p, leaseExpiresAt: leaseUntil() });
      }
      changed();
    },
    async uploadOutput(runnerId, predictionId, file) {
      const p = must(predictionId);
      if (p.leaseOwner !== runnerId || isTerminal(p.status)) throw new Error(`prediction ${predictionId} is not running on ${runnerId}`);
      const chunks: Buffer[] = [];
      for await (const chunk of file.body) chunks.push(Buffer.from(chunk));
      // Signed like the engine's links: a query a Cog server would cut off.
      const url = `https://files.test/${predictionId}/${uploads.length}/${encodeURIComponent(file.name)}?signature=s${uploads.length}`;
      uploads.push({ predictionId, name: file.name, contentType: file.contentType, bytes: Buffer.concat(chunks), url });
      return { url };
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    enqueue(versionId, input = {}) {
      const version = runtimes.get(versionId);
      if (version === undefined) throw new Error(`unknown version ${versionId}`);
      const p: Prediction = {
        id: newPredictionId(),
        accountId: "acct",
        modelId: "model",
        model: version.model,
        versionId,
        input,
        output: null,
        logs: "",
        error: null,
        status: "starting",
        source: "api",
        dataRemoved: false,
        // Strictly increasing, so claims take predictions in the order they were queued.
        createdAt: new Date(clock.now().getTime() + predictions.size).toISOString(),
        startedAt: null,
        completedAt: null,
        deadline: null,
        metrics: null,
        webhook: null,
        webhookEventsFilter: null,
        canStream: version.outputIsIterator,
        leaseOwner: null,
        leaseExpiresAt: null,
      };
      predictions.set(p.id, p);
      changed();
      emit({ type: "work_queued", versionId });
      return p;
    },
    get: must,
    cancel(id) {
      const p = must(id);
      const transition = applyEvent(p, { type: "cancel_requested" }, now());
      if (!transition.ok) return;
      predictions.set(id, transition.next);
      changed();
      if (transition.effects.some((e) => e.type === "cancel_on_runner")) emit({ type: "cancel", predictionId: id });
    },
    waitFor(id, predicate, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const p = must(id);
          if (!predicate(p)) return;
          cleanup();
          resolve(p);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`prediction ${id} did not reach the expected state in ${timeoutMs} ms: ${JSON.stringify(must(id))}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          watchers.delete(check);
        };
        watchers.add(check);
        check();
      });
    },
    waitForTerminal: (id, timeoutMs) => plane.waitFor(id, (p) => isTerminal(p.status), timeoutMs),
    reports: (id) => [...(reportLog.get(id) ?? [])],
  };
  return plane;
}
