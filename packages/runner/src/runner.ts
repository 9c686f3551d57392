// The runner. It registers with the control plane, heartbeats its instances and holds the instances the replies
// ask for: it boots up to each version's target and stops idle instances above it (busy ones drain first). Work is
// pulled: a work_queued signal for a version with a free slot is claimed directly, an instance that becomes ready
// claims what waited for it, and a slow poll of pending work catches anything a lost signal left behind.
import os from "node:os";
import { newId, silentLogger, systemClock } from "@ferry/core";
import type { Assignment, InstanceEvent, InstanceReport, InstanceTarget, RunnerRegistration, VersionRuntime } from "@ferry/core";
import { createCogClient } from "./cog-client.js";
import { createHeartbeats } from "./heartbeats.js";
import type { Heartbeats } from "./heartbeats.js";
import { detectResources } from "./hardware.js";
import { startInstance } from "./instance.js";
import type { Instance } from "./instance.js";
import type { InstanceFileSettings } from "./instance-launch.js";
import { DEFAULT_INPUT_TIMEOUT_MS, DEFAULT_MAX_INPUT_BYTES, createInputFiles } from "./inputs/input-files.js";
import { createPredictionReporter, messageOf } from "./prediction-reporter.js";
import { createPredictionTracker } from "./prediction-tracker.js";
import { reconcile } from "./reconcile.js";
import type { Runner, RunnerOptions } from "./runner-types.js";
import { createSpareProcesses } from "./spare-process.js";
import { UPLOAD_PATH, createUploadSink } from "./upload-sink.js";
import { createWakeLoop } from "./wake-loop.js";
import type { PassRequest } from "./wake-loop.js";
import { startWebhookReceiver } from "./webhook-receiver.js";
import type { WebhookReceiver } from "./webhook-receiver.js";

/** After a setup failure a version waits this long before its next boot, doubling up to the cap (never a hot loop). */
const SETUP_RETRY_FIRST_MS = 1_000;
const SETUP_RETRY_MAX_MS = 30_000;
const STOP_DRAIN_MS = 10_000;
/** The last heartbeat of a stopping runner (its instances are gone) may take this long. */
const FAREWELL_MS = 2_000;

/** Creates a runner for one control plane. Nothing happens until start(). */
export function createRunner(options: RunnerOptions): Runner {
  const controlPlane = options.controlPlane;
  const runnerId = options.runnerId ?? `runner-${newId()}`;
  const log = options.log ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const maxInstances = options.maxInstances ?? 4;
  const cancelGraceMs = options.cancelGraceMs ?? 5_000;
  const setupTimeoutMs = options.setupTimeoutMs ?? 300_000;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const leaseRenewIntervalMs = options.leaseRenewIntervalMs ?? 10_000;
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 2_000;
  const spares = options.spareProcess === false ? null : createSpareProcesses(log);

  const client = createCogClient();
  const reporter = createPredictionReporter(runnerId, controlPlane, log);
  const instances = new Map<string, Instance>();
  /** Boots under way whose instance does not exist yet, per version. */
  const pendingBoots = new Map<string, number>();
  /** The targets of the last heartbeat: versions absent have a target of 0. */
  let targets = new Map<string, number>();
  /** Instances that just became ready: what they claim first waited for their cold boot. */
  const fresh = new Set<string>();
  const setupFailures = new Map<string, { count: number; until: number }>();
  const runtimes = new Map<string, VersionRuntime>();
  const timers: NodeJS.Timeout[] = [];
  let receiver: WebhookReceiver | null = null;
  let heartbeats: Heartbeats | null = null;
  let unsubscribe: (() => void) | null = null;
  let phase: "created" | "running" | "draining" | "stopping" | "stopped" = "created";
  /** Versions whose last claims stopped because every slot was taken: more of their work may be queued. */
  const backlog = new Set<string>();

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
  const now = (): number => clock.now().getTime();
  const iso = (ms: number): string => new Date(ms).toISOString();

  const uploads = createUploadSink({
    runnerId,
    controlPlane,
    holds: (id) => tracker.heldIds().includes(id),
    onUpload: (id) => tracker.noteUpload(id),
    log,
  });

  const tracker = createPredictionTracker({
    runnerId,
    now,
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
      const versionId = instance.version.versionId;
      const surplus = phase === "draining" || liveOf(versionId).length > (targets.get(versionId) ?? 0);
      if (instance.idleSince() !== null && surplus) applyPlan();
      else if (backlog.has(versionId)) loop.wakeFor(versionId, null);
    },
  });
  const loop = createWakeLoop(pass, log);

  const live = (i: Instance): boolean => ["booting", "ready", "busy"].includes(i.state());
  const liveOf = (versionId: string): Instance[] => [...instances.values()].filter((i) => i.version.versionId === versionId && live(i));

  function sendEvent(event: InstanceEvent): void {
    controlPlane.instanceEvent(runnerId, event).catch((error: unknown) => {
      log.warn({ instance: event.instanceId, event: event.type, error: messageOf(error) }, "could not report an instance event");
    });
  }

  async function pass({ full, versions }: PassRequest): Promise<void> {
    if (phase !== "running") return;
    if (full) return fullPass();
    for (const [versionId, count] of versions) {
      if (phase !== "running") return;
      // No live instance of the version: whether one boots (here or elsewhere) is the scheduler's call.
      if (!(await claimFor(versionId, count ?? Infinity))) heartbeats?.beatNow();
    }
  }

  async function fullPass(): Promise<void> {
    applyPlan();
    const work = await controlPlane.pendingWork();
    for (const { version, queued } of work) {
      if (phase !== "running") return;
      runtimes.set(version.versionId, version);
      if (queued > 0 && !(await claimFor(version.versionId, queued))) heartbeats?.beatNow();
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
    try {
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
    } finally {
      // Only the first claims after its boot waited for it; later work found it warm.
      for (const instance of mine) if (instance.state() !== "booting") fresh.delete(instance.id);
    }
  }

  /** Dispatches a claimed prediction to an instance with a free slot, or returns it to the queue. */
  function handTo(mine: Instance[], assignment: Assignment): void {
    const instance = mine.find((i) => i.freeSlots() > 0);
    if (instance !== undefined && phase === "running") tracker.dispatch(assignment, instance, fresh.has(instance.id));
    else void reporter.release(assignment.predictionId);
  }

  function onTargets(list: InstanceTarget[]): void {
    targets = new Map(list.filter((t) => t.instances > 0).map((t) => [t.versionId, t.instances]));
    applyPlan();
  }

  /** Boots and stops instances to match the targets (also when an instance ended or a slot freed). */
  function applyPlan(): void {
    if (phase !== "running" && phase !== "draining") return;
    const plan = reconcile({
      // A draining runner boots nothing; it still lets idle instances go.
      targets: phase === "running" ? targets : new Map(),
      instances: [...instances.values()].map((i) => {
        const info = i.info();
        return { id: i.id, versionId: info.versionId, state: info.state, running: info.running.length, idleSince: i.idleSince(), startedAt: i.timing().startedAt };
      }),
      pendingBoots,
      maxInstances,
      holdOff: (versionId) => (setupFailures.get(versionId)?.until ?? 0) > now(),
    });
    for (const id of plan.stop) {
      const instance = instances.get(id);
      if (instance === undefined) continue;
      log.info({ instance: id, version: instance.version.versionId, target: targets.get(instance.version.versionId) ?? 0 }, "stopping an instance above its target");
      void instance.stop(cancelGraceMs);
    }
    for (const versionId of plan.boot) void boot(versionId);
  }

  async function runtimeOf(versionId: string): Promise<VersionRuntime | null> {
    const known = runtimes.get(versionId);
    if (known !== undefined) return known;
    const runtime = await controlPlane.runtime(versionId);
    // A version's runtime never changes (versions are content-addressed): one fetch per version.
    if (runtime !== null) runtimes.set(versionId, runtime);
    return runtime;
  }

  async function boot(versionId: string): Promise<void> {
    pendingBoots.set(versionId, (pendingBoots.get(versionId) ?? 0) + 1);
    let instance: Instance;
    try {
      const version = await runtimeOf(versionId);
      if (version === null) {
        log.warn({ version: versionId }, "the control plane asked for an instance of a version it does not know");
        return;
      }
      try {
        instance = await startInstance({ version, client, clock, log, setupTimeoutMs, files: fileSettings(), spares: spares ?? undefined });
      } catch (error) {
        onSetupFailed(versionId, newId(), messageOf(error));
        return;
      }
    } catch (error) {
      log.warn({ version: versionId, error: messageOf(error) }, "could not read the runtime of a version");
      return;
    } finally {
      const left = (pendingBoots.get(versionId) ?? 1) - 1;
      if (left > 0) pendingBoots.set(versionId, left);
      else pendingBoots.delete(versionId);
    }
    if (phase !== "running") {
      await instance.stop(cancelGraceMs);
      return;
    }
    instances.set(instance.id, instance);
    const started = instance.timing().startedAt;
    sendEvent({ type: "booting", instanceId: instance.id, versionId, at: iso(started) });
    void instance.ready.then((result) => {
      const { readyAt, setupStartedAt } = instance.timing();
      if (result.ok && readyAt !== null) {
        setupFailures.delete(versionId);
        fresh.add(instance.id);
        sendEvent({
          type: "ready",
          instanceId: instance.id,
          versionId,
          at: iso(readyAt),
          bootMs: readyAt - started,
          setupMs: setupStartedAt === null ? null : readyAt - setupStartedAt,
        });
        loop.wakeFor(versionId, null);
      } else if (instance.state() === "failed") onSetupFailed(versionId, instance.id, result.ok ? "setup did not finish" : result.reason);
    });
    // After `ready` settled, so a setup failure is on record before the plan can see the version without an instance.
    void Promise.all([instance.ready, instance.exited]).then(([ready, exit]) => {
      const running = instance.running();
      const state = instance.state();
      instances.delete(instance.id);
      fresh.delete(instance.id);
      const reported = tracker.instanceExited(instance, exit, phase !== "running" && phase !== "draining");
      if (state === "stopped") sendEvent({ type: "stopped", instanceId: instance.id, versionId, at: iso(now()) });
      else if (ready.ok) {
        const at = iso(now());
        const error = instance.failure() ?? `the instance process exited (exit code ${exit.code ?? "none"}, signal ${exit.signal ?? "none"})`;
        log.error({ instance: instance.id, version: versionId, error, running }, "instance crashed");
        // After its predictions' own failures (they carry the stderr tail): the event is for the scheduler's counts.
        void reported.then(() => sendEvent({ type: "crashed", instanceId: instance.id, versionId, at, error, running }));
      }
      applyPlan();
    });
  }

  /** Reported to the control plane, which decides what happens to the version's queued work. */
  function onSetupFailed(versionId: string, instanceId: string, reason: string): void {
    const count = (setupFailures.get(versionId)?.count ?? 0) + 1;
    const delay = Math.min(SETUP_RETRY_FIRST_MS * 2 ** (count - 1), SETUP_RETRY_MAX_MS);
    setupFailures.set(versionId, { count, until: now() + delay });
    log.error({ version: versionId, instance: instanceId, reason, retryInMs: delay }, "instance setup failed");
    sendEvent({ type: "setup_failed", instanceId, versionId, at: iso(now()), error: reason });
  }

  function reports(): InstanceReport[] {
    return [...instances.values()].map((instance) => {
      const info = instance.info();
      return {
        id: info.id,
        versionId: info.versionId,
        state: info.state,
        concurrency: info.concurrency,
        running: info.running,
        startedAt: info.startedAt,
        readyAt: info.readyAt,
        idleSince: info.idleSince,
        failure: info.failure,
      };
    });
  }

  function renewLeases(): void {
    const ids = tracker.heldIds();
    if (ids.length === 0) return;
    controlPlane.renewLeases(runnerId, ids).catch((error: unknown) => {
      log.warn({ error: messageOf(error) }, "lease renewal failed");
    });
  }

  async function drain(ms: number): Promise<void> {
    phase = "draining";
    log.info({ runner: runnerId, held: tracker.heldIds().length, drainMs: ms }, "draining: no new work, waiting for running predictions");
    applyPlan();
    const deadline = performance.now() + ms;
    while (tracker.heldIds().length > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  return {
    runnerId,
    async start() {
      if (phase !== "created") throw new Error(`The runner cannot start: it is ${phase}`);
      receiver = await startWebhookReceiver((instanceId, predictionId, snapshot) => tracker.onSnapshot(instanceId, predictionId, snapshot), log, [
        inputs.handle,
        uploads.handle,
      ]);
      const registration: RunnerRegistration = {
        runnerId,
        name: options.name ?? os.hostname(),
        hardware: options.hardware ?? ["cpu"],
        resources: options.resources ?? (await detectResources()),
        maxInstances,
      };
      phase = "running";
      unsubscribe = controlPlane.subscribe((signal) => {
        if (signal.type === "work_queued") {
          if (liveOf(signal.versionId).length > 0) loop.wakeFor(signal.versionId, 1);
          else heartbeats?.beatNow();
        } else if (signal.type === "cancel") tracker.cancel(signal.predictionId);
        else heartbeats?.beatNow();
      });
      heartbeats = createHeartbeats({
        controlPlane,
        registration,
        instances: reports,
        onTargets,
        // Signals may have been missed while the control plane was out of reach.
        onReconnected: () => loop.wake(),
        intervalMs: heartbeatIntervalMs,
        log,
      });
      heartbeats.start();
      spares?.start();
      timers.push(setInterval(() => loop.wake(), pollIntervalMs), setInterval(renewLeases, leaseRenewIntervalMs));
      for (const timer of timers) timer.unref();
      log.info({ runner: runnerId, hardware: registration.hardware, resources: registration.resources }, "runner started");
      loop.wake();
    },
    async stop(stopOptions = {}) {
      if (phase !== "running" && phase !== "draining") {
        phase = "stopped";
        return;
      }
      if (stopOptions.drainMs !== undefined && stopOptions.drainMs > 0 && phase === "running") await drain(stopOptions.drainMs);
      phase = "stopping";
      unsubscribe?.();
      for (const timer of timers) clearInterval(timer);
      await withinMs(loop.idle(), STOP_DRAIN_MS);
      const all = [...instances.values()];
      await Promise.all([...all.map((instance) => instance.stop(cancelGraceMs)), spares?.close()]);
      await withinMs(Promise.all(all.map((instance) => instance.exited)).then(() => undefined), STOP_DRAIN_MS);
      await withinMs(tracker.drained(), STOP_DRAIN_MS);
      heartbeats?.stop();
      // Tells the scheduler at once that this runner holds nothing any more (best effort).
      await withinMs(
        controlPlane.heartbeat(runnerId, reports()).then(
          () => undefined,
          () => undefined,
        ),
        FAREWELL_MS,
      );
      await receiver?.close();
      client.close();
      phase = "stopped";
      log.info({ runner: runnerId }, "runner stopped");
    },
    instances: () => [...instances.values()].map((instance) => instance.info()),
    sparePid: () => spares?.pid() ?? null,
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
