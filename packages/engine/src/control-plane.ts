// The control plane runners talk to: pending work, claims with leases, event reports (only from the lease
// holder), releases (with a reason: retries) and lease renewals, wake-up signals, and the scheduler's side:
// registration, heartbeats that return each runner's instance targets, runtimes and instance events.
import { FerryError, fileInputNames, isIteratorOutput } from "@ferry/core";
import type { Assignment, Clock, ControlPlane, Prediction, Store, VersionRuntime } from "@ferry/core";
import type { Catalog } from "./catalog.js";
import { modelRef } from "./catalog.js";
import type { FileInputs } from "./file-inputs.js";
import type { PredictionWriter } from "./prediction-writer.js";
import type { RunnerSignals } from "./runner-signals.js";
import type { Retries } from "./scheduler/retries.js";
import type { Scheduler } from "./scheduler/scheduler.js";

export interface ControlPlaneDeps {
  store: Store;
  clock: Clock;
  catalog: Catalog;
  writer: PredictionWriter;
  signals: RunnerSignals;
  leaseMs: number;
  /** Files-API URLs in claimed inputs become signed download links. */
  fileInputs: FileInputs;
  uploadOutput: ControlPlane["uploadOutput"];
  scheduler: Scheduler;
  retries: Retries;
}

export function createControlPlane(deps: ControlPlaneDeps): ControlPlane {
  const { store, clock, catalog, writer, signals, leaseMs } = deps;
  const leaseUntil = (): string => new Date(clock.now().getTime() + leaseMs).toISOString();

  async function runtimeOf(versionId: string): Promise<VersionRuntime | null> {
    const version = await catalog.version(versionId);
    if (version === null) return null;
    const model = await catalog.modelById(version.modelId);
    if (model === null) return null;
    const fileInputs = fileInputNames(version.openapiSchema);
    return {
      versionId,
      model: modelRef(model),
      runtime: version.runtime,
      outputIsIterator: isIteratorOutput(version.openapiSchema),
      ...(fileInputs.length > 0 ? { fileInputs } : {}),
    };
  }

  return {
    async pendingWork() {
      const queued = await store.predictions.queuedVersions();
      const work: { version: VersionRuntime; queued: number }[] = [];
      for (const entry of queued) {
        const version = await runtimeOf(entry.versionId);
        if (version !== null) work.push({ version, queued: entry.count });
      }
      return work;
    },

    async claim(runnerId, versionId): Promise<Assignment | null> {
      const row = await store.predictions.claim({ runnerId, versionId, leaseUntil: leaseUntil() });
      if (row === null) return null;
      writer.remember(row);
      const signed = deps.fileInputs.forRunner(row);
      const input = signed instanceof Promise ? await signed : signed;
      return { predictionId: row.id, versionId: row.versionId, input, deadline: row.deadline };
    },

    async report(runnerId, predictionId, event) {
      const holds = (row: Prediction): boolean => row.leaseOwner === runnerId;
      const result = await writer.apply(predictionId, event, {
        useCache: true,
        // A cached row is trusted for the lease only while its lease has not run out (after that another
        // process may have re-queued it), and for output and logs only when this process wrote it just
        // before (they append to what the row holds, which another process may have changed).
        trustCached: (row, afterPredecessor) =>
          holds(row) &&
          row.leaseExpiresAt !== null &&
          Date.parse(row.leaseExpiresAt) > clock.now().getTime() &&
          (afterPredecessor || (event.type !== "output" && event.type !== "logs")),
        guard: holds,
        // A prediction that ended before the runner reported its start (a quick one, whose terminal snapshot
        // came with the instance's 202) is started and ended in one write. Not with a webhook: its `start`
        // event needs a write of its own.
        impliedStart: (row) => event.type === "succeeded" && row.webhook === null,
      });
      if (result.kind === "not_found") throw new FerryError("not_found");
      return { applied: result.kind === "applied", status: result.prediction.status };
    },

    async release(runnerId, predictionId, reason) {
      if (reason !== undefined) {
        // A platform failure: retried up to the limit, each attempt in the timeline. The cached row is the claim's.
        const cached = writer.cached(predictionId);
        const row = cached !== undefined && cached.leaseOwner === runnerId ? cached : await store.predictions.get(predictionId);
        if (row !== null) await deps.retries.retry(row, runnerId, reason);
        return;
      }
      const known = writer.cached(predictionId);
      const released = await store.predictions.releaseLease(predictionId, runnerId);
      writer.forget(predictionId);
      if (!released) return;
      const row = known ?? (await store.predictions.get(predictionId));
      if (row !== null) signals.emit({ type: "work_queued", versionId: row.versionId });
    },

    async renewLeases(runnerId, predictionIds) {
      if (predictionIds.length === 0) return;
      await store.predictions.renewLeases(runnerId, predictionIds, leaseUntil());
    },

    uploadOutput: deps.uploadOutput,

    registerRunner: (registration) => deps.scheduler.registerRunner(registration),
    heartbeat: (runnerId, instances) => deps.scheduler.heartbeat(runnerId, instances),
    runtime: runtimeOf,
    instanceEvent: (runnerId, event) => deps.scheduler.instanceEvent(runnerId, event),

    subscribe: (listener) => signals.subscribe(listener),
  };
}
