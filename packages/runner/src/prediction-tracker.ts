// The predictions a runner holds: hands each to its instance, turns the instance's snapshots into events, and
// reports them strictly in order per prediction (one promise chain each), until the prediction ends.
import { isTerminal } from "@ferry/core";
import type { Assignment, Logger, PredictionEvent, Status } from "@ferry/core";
import type { CogClient } from "./cog-client.js";
import {
  RUNNER_STOPPED_MESSAGE,
  describeExit,
  dispatchFailedMessage,
  instanceCrashedMessage,
  invalidInputMessage,
} from "./failure-messages.js";
import type { Instance } from "./instance.js";
import type { InputFiles } from "./inputs/input-files.js";
import type { UploadSink } from "./upload-sink.js";
import { messageOf } from "./prediction-reporter.js";
import type { PredictionReporter } from "./prediction-reporter.js";
import type { InstanceExit } from "./runner-types.js";
import { NO_PROGRESS, eventsFromSnapshot } from "./snapshot-events.js";
import type { CogSnapshot, SnapshotProgress } from "./snapshot-events.js";
import { endEntries, startEntries, withTimeline } from "./timeline-entries.js";
import type { RunnerPhases } from "./timeline-entries.js";

export interface PredictionTrackerDeps {
  runnerId: string;
  /** Epoch ms, on the clock instances are timed with. */
  now(): number;
  reporter: PredictionReporter;
  client: CogClient;
  log: Logger;
  cancelGraceMs: number;
  webhookUrl(instanceId: string, predictionId: string): string;
  /** A slot of `instance` became free (a prediction ended or went back to the queue). */
  onSlotFreed(instance: Instance): void;
  /** Fetches file inputs before dispatch (versions with fileInputs only). */
  inputs?: Pick<InputFiles, "prepare">;
  /** The full download links of output files, for Cog servers that cut their query off. */
  outputLinks?: Pick<UploadSink, "restore" | "forget">;
}

export interface PredictionTracker {
  /**
   * Takes a slot on `instance` and hands the claimed prediction to it. `coldBoot`: the prediction waited for this
   * instance to boot (its timeline gets the booting and setup phases).
   */
  dispatch(assignment: Assignment, instance: Instance, coldBoot?: boolean): void;
  /** The instance began uploading an output file of this prediction (its uploading_output phase). */
  noteUpload(predictionId: string): void;
  onSnapshot(instanceId: string, predictionId: string, snapshot: CogSnapshot): void;
  /** The engine canceled a prediction: cancel it on its instance, SIGKILL the instance if it is still running after the grace. */
  cancel(predictionId: string): void;
  /**
   * The instance process is gone: fail what ran on it, return what had not started to the queue. Resolves when
   * those reports are done.
   */
  instanceExited(instance: Instance, exit: InstanceExit, runnerStopping: boolean): Promise<void>;
  heldIds(): string[];
  /** Resolves when every prediction's pending reports are done. */
  drained(): Promise<void>;
}

interface Held {
  id: string;
  assignment: Assignment;
  instance: Instance;
  /** The instance answered the PUT with 2xx: it runs the prediction. */
  accepted: boolean;
  progress: SnapshotProgress;
  chain: Promise<void>;
  cancelRequested: boolean;
  cancelSent: boolean;
  cancelTimer: NodeJS.Timeout | null;
  slotFreed: boolean;
  done: boolean;
  /** Lets go of the input files fetched for it, once it is over. */
  releaseInputs: (() => void) | null;
  phases: RunnerPhases;
  /** The started event went out with the start entries; the terminal one carries only the rest. */
  startReported: boolean;
}

/** How long an instance that answered 409/503 gets no new work unless a slot frees first. */
const HOLD_BACK_MS = 1_000;

export function createPredictionTracker(deps: PredictionTrackerDeps): PredictionTracker {
  const { reporter, client, log, cancelGraceMs } = deps;
  const held = new Map<string, Held>();

  const enqueue = (h: Held, task: () => Promise<void>): void => {
    h.chain = h.chain.then(task).catch((error: unknown) => {
      log.error({ prediction: h.id, error: messageOf(error) }, "prediction task failed");
    });
  };

  /** The instance is done with it: the slot can take the next prediction while the last reports go out. */
  function freeSlot(h: Held): void {
    if (h.slotFreed) return;
    h.slotFreed = true;
    if (h.cancelTimer !== null) clearTimeout(h.cancelTimer);
    h.instance.release(h.id);
    deps.onSlotFreed(h.instance);
  }

  function finish(h: Held): void {
    if (h.done) return;
    h.done = true;
    freeSlot(h);
    h.releaseInputs?.();
    h.releaseInputs = null;
    deps.outputLinks?.forget(h.id);
    if (held.get(h.id) === h) held.delete(h.id);
  }

  /** The engine already ended it (canceled, deadline) while the instance still runs it: stop the work there too. */
  async function report(h: Held, plain: PredictionEvent): Promise<{ applied: boolean; status: Status } | null> {
    const event = withTimeline(plain, timelineFor(h, plain));
    const result = await reporter.report(h.id, event);
    if (event.type === "started" && result?.applied === true) h.startReported = true;
    if (result !== null && !result.applied && isTerminal(result.status) && !isTerminalEvent(event)) requestCancel(h);
    return result;
  }

  /** The runner's phases an event carries: all of them on the first that carries any, the rest on the end. */
  function timelineFor(h: Held, event: PredictionEvent): ReturnType<typeof startEntries> {
    if (event.type === "started") return startEntries(h.phases);
    if (event.type !== "succeeded" && event.type !== "failed") return [];
    return h.startReported ? endEntries(h.phases) : [...startEntries(h.phases), ...endEntries(h.phases)];
  }

  /** Back to the queue; with a reason it was a platform failure (the control plane retries it, counting attempts). */
  const release = (h: Held, reason?: string): Promise<void> => reporter.release(h.id, reason);

  async function handOver(h: Held): Promise<void> {
    if (h.done) return;
    if (h.cancelRequested) return finish(h);
    const { instance } = h;
    const names = instance.version.fileInputs;
    const input = names === undefined || names.length === 0 ? h.assignment.input : await fetchInputs(h, names);
    if (input === null || h.done) return;
    if (h.cancelRequested) return finish(h);
    let response;
    h.phases.runningAt = deps.now();
    try {
      response = await client.predict(instance.baseUrl, h.id, { input, webhook: deps.webhookUrl(instance.id, h.id) });
    } catch (error) {
      // No answer (the instance died or hung): it never started as far as anyone knows, so it goes back to the queue.
      log.warn({ prediction: h.id, instance: instance.id, error: messageOf(error) }, "dispatch failed");
      instance.holdBack(HOLD_BACK_MS);
      await release(h, dispatchFailedMessage(messageOf(error)));
      return finish(h);
    }
    if (h.done) return;
    if (response.status === 409 || response.status === 503) {
      // Full, not broken: no attempt is spent on it.
      h.phases.runningAt = null;
      instance.holdBack(HOLD_BACK_MS);
      await release(h);
      finish(h);
      return checkDefunct(instance);
    }
    if (response.status === 422) {
      h.phases.runningAt = null;
      await report(h, { type: "failed", error: invalidInputMessage(response.body) });
      return finish(h);
    }
    if (response.status < 200 || response.status >= 300) {
      await report(h, { type: "failed", error: dispatchFailedMessage(`HTTP ${response.status} ${JSON.stringify(response.body)}`) });
      return finish(h);
    }
    h.accepted = true;
    // The prediction had already ended: a Ferry instance put the terminal snapshot in the 202 (and sends no
    // completed webhook), or a server that ignored Prefer: respond-async answered with it synchronously.
    const ended = (response.status === 200 || response.status === 202) && isSnapshot(response.body) ? response.body : null;
    if (ended !== null && !h.cancelRequested && (await reportEndAlone(h, ended))) return;
    await report(h, { type: "started" });
    if (h.cancelRequested && !h.cancelSent) await sendCancel(h);
    if (ended !== null) await applySnapshot(h, ended);
  }

  /**
   * A prediction that succeeded with nothing else to report (no logs, no chunks) is reported with its end
   * alone: the engine's control plane then writes its start and its end at once. False (nothing changed) when
   * the control plane wants the start first, as the Cog protocol's order has it; the caller reports both then.
   */
  async function reportEndAlone(h: Held, snapshot: CogSnapshot): Promise<boolean> {
    const { events, end, progress } = eventsFromSnapshot(h.progress, withOutputLinks(h, snapshot), h.instance.version.outputIsIterator, false);
    const [event] = events;
    if (end !== "succeeded" || events.length !== 1 || event === undefined) return false;
    // The instance is done with it either way: the slot can take the next prediction while the report goes out.
    freeSlot(h);
    const result = await reporter.report(h.id, withTimeline(event, timelineFor(h, event)));
    if (result === null || (!result.applied && !isTerminal(result.status))) return false;
    h.progress = progress;
    finish(h);
    return true;
  }

  /** The snapshot with the output's stripped links restored (usually the same value, then used as it is). */
  function withOutputLinks(h: Held, snapshot: CogSnapshot): CogSnapshot {
    const output = deps.outputLinks === undefined || snapshot.output == null ? snapshot.output : deps.outputLinks.restore(h.id, snapshot.output);
    return output === snapshot.output ? snapshot : { ...snapshot, output };
  }

  /** The input with its files fetched and re-served by the runner; null when that failed (the prediction failed with why). */
  async function fetchInputs(h: Held, names: readonly string[]): Promise<Record<string, unknown> | null> {
    if (deps.inputs === undefined) return h.assignment.input;
    try {
      const prepared = await deps.inputs.prepare(h.id, h.assignment.input, names);
      if (h.done) {
        prepared.release();
        return null;
      }
      h.releaseInputs = prepared.release;
      return prepared.input;
    } catch (error) {
      // The input's fault (a blocked address, too large, too slow, gone): the user's failure, reported as such.
      if (!h.done) await report(h, { type: "failed", error: messageOf(error) });
      finish(h);
      return null;
    }
  }

  async function applySnapshot(h: Held, snapshot: CogSnapshot): Promise<void> {
    if (h.done || !h.accepted) return;
    const { events, end, progress } = eventsFromSnapshot(h.progress, withOutputLinks(h, snapshot), h.instance.version.outputIsIterator, h.cancelRequested);
    h.progress = progress;
    if (end !== null) freeSlot(h);
    for (const event of events) {
      const result = await report(h, event);
      if (result !== null && !result.applied && isTerminal(result.status)) break;
    }
    if (end !== null) finish(h);
  }

  /** A 409/503 is usually "full"; an instance that went DEFUNCT would answer it forever, so it is replaced. */
  async function checkDefunct(instance: Instance): Promise<void> {
    const health = await client.health(instance.baseUrl, 1_000).catch(() => null);
    if (health?.status === "DEFUNCT") instance.kill("the instance reported DEFUNCT");
  }

  async function sendCancel(h: Held): Promise<void> {
    h.cancelSent = true;
    await client.cancel(h.instance.baseUrl, h.id).catch((error: unknown) => {
      log.warn({ prediction: h.id, error: messageOf(error) }, "cancel request failed");
    });
  }

  function requestCancel(h: Held): void {
    if (h.done || h.cancelRequested) return;
    h.cancelRequested = true;
    h.cancelTimer = setTimeout(() => {
      if (!h.done) h.instance.kill(`it did not stop canceled prediction ${h.id} within ${cancelGraceMs} ms`);
    }, cancelGraceMs);
    // Not yet accepted: handOver skips the PUT, or sends the cancel right after the 202.
    if (h.accepted) void sendCancel(h);
  }

  return {
    dispatch(assignment, instance, coldBoot = false) {
      const timing = instance.timing();
      const h: Held = {
        id: assignment.predictionId,
        assignment,
        instance,
        accepted: false,
        progress: NO_PROGRESS,
        chain: Promise.resolve(),
        cancelRequested: false,
        cancelSent: false,
        cancelTimer: null,
        slotFreed: false,
        done: false,
        releaseInputs: null,
        phases: {
          runnerId: deps.runnerId,
          instanceId: instance.id,
          coldBoot: coldBoot ? { bootingAt: timing.startedAt, setupAt: timing.setupStartedAt } : null,
          runningAt: null,
          uploadingAt: null,
        },
        startReported: false,
      };
      instance.acquire(h.id);
      held.set(h.id, h);
      enqueue(h, () => handOver(h));
    },
    noteUpload(predictionId) {
      const h = held.get(predictionId);
      if (h !== undefined) h.phases.uploadingAt ??= deps.now();
    },
    onSnapshot(instanceId, predictionId, snapshot) {
      const h = held.get(predictionId);
      if (h === undefined || h.instance.id !== instanceId) return;
      enqueue(h, () => applySnapshot(h, snapshot));
    },
    cancel(predictionId) {
      const h = held.get(predictionId);
      if (h !== undefined) requestCancel(h);
    },
    instanceExited(instance, exit, runnerStopping) {
      const chains: Promise<void>[] = [];
      for (const h of held.values()) {
        if (h.instance !== instance) continue;
        enqueue(h, async () => {
          if (h.done) return;
          if (h.cancelRequested) return finish(h);
          if (!h.accepted) {
            // It never began: a platform failure, retried elsewhere (unless the runner itself is going away).
            await release(h, runnerStopping ? undefined : `the model instance exited before the prediction started (${describeExit(exit)})`);
            return finish(h);
          }
          const error = runnerStopping ? RUNNER_STOPPED_MESSAGE : instanceCrashedMessage(exit, instance.stderrTail(10));
          await report(h, { type: "failed", error });
          finish(h);
        });
        chains.push(h.chain);
      }
      return Promise.all(chains).then(() => undefined);
    },
    heldIds: () => [...held.keys()],
    drained: async () => {
      await Promise.all([...held.values()].map((h) => h.chain));
    },
  };
}

function isTerminalEvent(event: PredictionEvent): boolean {
  return event.type === "succeeded" || event.type === "failed";
}

function isSnapshot(body: unknown): body is CogSnapshot {
  if (typeof body !== "object" || body === null) return false;
  const status = (body as { status?: unknown }).status;
  return status === "succeeded" || status === "failed" || status === "canceled";
}
