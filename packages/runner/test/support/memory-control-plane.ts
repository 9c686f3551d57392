// A second adapter of the ControlPlane port for runner tests: predictions live in memory and every event goes
// through core's real applyEvent state machine, with the same lease rules as the engine (only the holder reports).
import { applyEvent, isTerminal, newPredictionId, systemClock } from "@ferry/core";
import type { Assignment, Clock, ControlPlane, Prediction, PredictionEvent, RunnerSignal, Status, VersionRuntime } from "@ferry/core";

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

export function createMemoryControlPlane(versions: VersionRuntime[], clock: Clock = systemClock): MemoryControlPlane {
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

  const plane: MemoryControlPlane = {
    releases,
    uploads,
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
    async release(runnerId, predictionId) {
      const p = must(predictionId);
      if (p.leaseOwner !== runnerId || p.status !== "starting") return;
      releases.push(predictionId);
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
