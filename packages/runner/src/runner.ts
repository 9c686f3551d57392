// The runner loop. A full pass (a poll tick, an instance ready or gone) reads pending work, claims it for ready
// instances, cold-boots an instance for a version that has none and shuts down instances idle for too long. In the
// steady state a signal or a freed slot names a version with a ready instance, and the runner claims directly.
import { newId, silentLogger, systemClock } from "@ferry/core";
import type { Assignment, VersionRuntime } from "@ferry/core";
import { createCogClient } from "./cog-client.js";
import { setupFailedMessage } from "./failure-messages.js";
import { startInstance } from "./instance.js";
import type { Instance } from "./instance.js";
import type { InstanceFileSettings } from "./instance-launch.js";
import { DEFAULT_INPUT_TIMEOUT_MS, DEFAULT_MAX_INPUT_BYTES, createInputFiles } from "./inputs/input-files.js";
import { createPredictionReporter, messageOf } from "./prediction-reporter.js";
import { createPredictionTracker } from "./prediction-tracker.js";
import type { Runner, RunnerOptions } from "./runner-types.js";
import { UPLOAD_PATH, createUploadSink } from "./upload-sink.js";
import { createWakeLoop } from "./wake-loop.js";
import type { PassRequest } from "./wake-loop.js";
import { startWebhookReceiver } from "./webhook-receiver.js";
import type { WebhookReceiver } from "./webhook-receiver.js";

/** After a setup failure, a version gets no new instance for this long (never a hot crash loop). */
const SETUP_RETRY_DELAY_MS = 5_000;
/** Claims drained when failing a version's queue after its setup failed. */
const MAX_FAILED_CLAIMS = 10_000;
const STOP_DRAIN_MS = 10_000;

/** Creates a runner for one control plane. Nothing happens until start(). */
export function createRunner(options: RunnerOptions): Runner {
  const controlPlane = options.controlPlane;
  const runnerId = options.runnerId ?? `runner-${newId()}`;
  const log = options.log ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const maxInstances = options.maxInstances ?? 4;
  const idleTimeoutMs = options.idleTimeoutMs ?? 300_000;
  const cancelGraceMs = options.cancelGraceMs ?? 5_000;
  const setupTimeoutMs = options.setupTimeoutMs ?? 300_000;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const leaseRenewIntervalMs = options.leaseRenewIntervalMs ?? 10_000;

  const client = createCogClient();
  const reporter = createPredictionReporter(runnerId, controlPlane, log);
  const instances = new Map<string, Instance>();
  const setupFailedAt = new Map<string, number>();
  const timers: NodeJS.Timeout[] = [];
  let receiver: WebhookReceiver | null = null;
  let unsubscribe: (() => void) | null = null;
  let phase: "created" | "running" | "stopping" | "stopped" = "created";
  /** Versions whose last claims stopped because every slot was taken: more of their work may be queued. */
  const backlog = new Set<string>();
  /** A version found no room for an instance: a slot freeing may let an idle instance go for it. */
  let starved = false;

  const receiverUrl = (): string => {
    if (receiver === null) throw new Error("The runner is not started");
    return receiver.baseUrl;
  };
  const inputs = createInputFiles(options.inputs ?? {}, receiverUrl, log);
  const fileSettings = (): InstanceFileSettings => ({
    uploadUrl: receiverUrl() + UPLOAD_PATH,
    maxInputBytes: options.inputs?.maxBytes ?? DEFAULT_MAX_INPUT_BYTES,
    inputTimeoutMs: options.inputs?.timeoutMs ?? DEFAULT_INPUT_TIMEOUT_MS,
  });

  const uploads = createUploadSink({ runnerId, controlPlane, holds: (id) => tracker.heldIds().includes(id), log });

  const tracker = createPredictionTracker({
    reporter,
    client,
    log,
    cancelGraceMs,
    inputs,
    outputLinks: uploads,
    webhookUrl: (instanceId, predictionId) => {
      if (receiver === null) throw new Error("The runner is not started");
      return receiver.urlFor(instanceId, predictionId);
    },
    onSlotFreed: (instance) => {
      if (starved) loop.wake();
      else if (backlog.has(instance.version.versionId)) loop.wakeFor(instance.version.versionId, null);
    },
  });
  const loop = createWakeLoop(pass, log);

  const live = (i: Instance): boolean => ["booting", "ready", "busy"].includes(i.state());
  const now = (): number => clock.now().getTime();

  async function pass({ full, versions }: PassRequest): Promise<void> {
    if (phase !== "running") return;
    if (full) return fullPass();
    for (const [versionId, count] of versions) {
      if (phase !== "running") return;
      // No live instance of the version: booting one (or making room for it) is the full pass's job.
      if (!(await claimFor(versionId, count ?? Infinity))) loop.wake();
    }
  }

  async function fullPass(): Promise<void> {
    starved = false;
    stopIdleInstances();
    const work = await controlPlane.pendingWork();
    for (const { version, queued } of work) {
      if (phase !== "running") return;
      if (queued > 0) await serve(version, queued);
    }
  }

  /**
   * Claims queued work of a version into its instances' free slots, at most `limit` predictions (so a signal for
   * one prediction costs one claim, not a second one that finds the queue empty). Returns false when the version
   * has no live instance, so nothing could be claimed for it. A version whose slots ran out goes on the backlog.
   */
  async function claimFor(versionId: string, limit: number): Promise<boolean> {
    const mine = [...instances.values()].filter((i) => i.version.versionId === versionId);
    if (!mine.some(live)) return false;
    let remaining = limit;
    // Claims run concurrently (the store commits them together); an unknown amount of work is probed in
    // growing rounds, so a freed slot costs one claim, not one per free slot.
    let round = Number.isFinite(limit) ? limit : 1;
    while (remaining > 0 && phase === "running") {
      const free = mine.reduce((n, i) => n + i.freeSlots(), 0);
      const count = Math.min(remaining, free, round);
      if (count === 0) break;
      const claims = await Promise.allSettled(Array.from({ length: count }, () => controlPlane.claim(runnerId, versionId)));
      remaining -= count;
      round *= 2;
      let emptied = false;
      for (const claim of claims) {
        if (claim.status === "fulfilled" && claim.value !== null) handTo(mine, claim.value);
        else emptied = true;
      }
      // Every claim that succeeded is dispatched before a failed one fails the pass.
      const failed = claims.find((claim) => claim.status === "rejected");
      if (failed !== undefined) throw failed.reason;
      if (emptied) {
        backlog.delete(versionId);
        return true;
      }
    }
    if (remaining > 0) backlog.add(versionId);
    return true;
  }

  /** Dispatches a claimed prediction to an instance with a free slot, or returns it to the queue. */
  function handTo(mine: Instance[], assignment: Assignment): void {
    const instance = mine.find((i) => i.freeSlots() > 0);
    if (instance !== undefined && phase === "running") tracker.dispatch(assignment, instance);
    else void reporter.release(assignment.predictionId);
  }

  async function serve(version: VersionRuntime, queued: number): Promise<void> {
    if (await claimFor(version.versionId, queued)) return;
    const failedAt = setupFailedAt.get(version.versionId);
    if (failedAt !== undefined && now() - failedAt < SETUP_RETRY_DELAY_MS) return;
    if (instances.size < maxInstances) await boot(version);
    else {
      starved = true;
      makeRoomFor(version.versionId);
    }
  }

  async function boot(version: VersionRuntime): Promise<void> {
    let instance: Instance;
    try {
      instance = await startInstance({ version, client, clock, log, setupTimeoutMs, files: fileSettings() });
    } catch (error) {
      void onSetupFailed(version, messageOf(error));
      return;
    }
    if (phase !== "running") {
      await instance.stop(cancelGraceMs);
      return;
    }
    instances.set(instance.id, instance);
    void instance.ready.then((result) => {
      if (result.ok) loop.wake();
      else if (instance.state() === "failed") void onSetupFailed(version, result.reason);
    });
    // After `ready` settled, so a setup failure is on record before the loop can see the version without an instance.
    void Promise.all([instance.ready, instance.exited]).then(([, exit]) => {
      instances.delete(instance.id);
      tracker.instanceExited(instance, exit, phase !== "running");
      loop.wake();
    });
  }

  /** The setup error is final for what is queued now: each queued prediction of the version fails with it. */
  async function onSetupFailed(version: VersionRuntime, reason: string): Promise<void> {
    setupFailedAt.set(version.versionId, now());
    log.error({ version: version.versionId, model: version.model, reason }, "instance setup failed");
    const error = setupFailedMessage(reason);
    for (let i = 0; i < MAX_FAILED_CLAIMS && phase === "running"; i++) {
      const assignment = await controlPlane.claim(runnerId, version.versionId);
      if (assignment === null) return;
      await reporter.report(assignment.predictionId, { type: "failed", error });
    }
  }

  /** At maxInstances: stop the longest-idle instance of another version; its exit wakes the loop to boot. */
  function makeRoomFor(versionId: string): void {
    if ([...instances.values()].some((i) => i.state() === "stopping")) return;
    const idle = [...instances.values()]
      .filter((i) => i.version.versionId !== versionId && i.idleSince() !== null)
      .sort((a, b) => (a.idleSince() ?? 0) - (b.idleSince() ?? 0));
    const victim = idle[0];
    if (victim === undefined) return;
    log.info({ instance: victim.id, for: versionId }, "stopping an idle instance to make room");
    void victim.stop(cancelGraceMs);
  }

  function stopIdleInstances(): void {
    for (const instance of instances.values()) {
      const since = instance.idleSince();
      if (since !== null && now() - since >= idleTimeoutMs) {
        log.info({ instance: instance.id, idleMs: now() - since }, "stopping an idle instance");
        void instance.stop(cancelGraceMs);
      }
    }
  }

  function renewLeases(): void {
    const ids = tracker.heldIds();
    if (ids.length === 0) return;
    controlPlane.renewLeases(runnerId, ids).catch((error: unknown) => {
      log.warn({ error: messageOf(error) }, "lease renewal failed");
    });
  }

  return {
    async start() {
      if (phase !== "created") throw new Error(`The runner cannot start: it is ${phase}`);
      receiver = await startWebhookReceiver((instanceId, predictionId, snapshot) => tracker.onSnapshot(instanceId, predictionId, snapshot), log, [
        inputs.handle,
        uploads.handle,
      ]);
      phase = "running";
      unsubscribe = controlPlane.subscribe((signal) => {
        if (signal.type === "work_queued") loop.wakeFor(signal.versionId, 1);
        else tracker.cancel(signal.predictionId);
      });
      timers.push(setInterval(() => loop.wake(), pollIntervalMs), setInterval(renewLeases, leaseRenewIntervalMs));
      for (const timer of timers) timer.unref();
      log.info({ runner: runnerId }, "runner started");
      loop.wake();
    },
    async stop() {
      if (phase !== "running") {
        phase = "stopped";
        return;
      }
      phase = "stopping";
      unsubscribe?.();
      for (const timer of timers) clearInterval(timer);
      await withinMs(loop.idle(), STOP_DRAIN_MS);
      const all = [...instances.values()];
      await Promise.all(all.map((instance) => instance.stop(cancelGraceMs)));
      await withinMs(Promise.all(all.map((instance) => instance.exited)).then(() => undefined), STOP_DRAIN_MS);
      await withinMs(tracker.drained(), STOP_DRAIN_MS);
      await receiver?.close();
      client.close();
      phase = "stopped";
      log.info({ runner: runnerId }, "runner stopped");
    },
    instances: () => [...instances.values()].map((instance) => instance.info()),
  };
}

function withinMs(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void promise.finally(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
