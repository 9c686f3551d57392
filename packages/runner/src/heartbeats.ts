// Registration and heartbeats: the runner tells the control plane what it has and which instances it holds, and
// learns which instances it should hold. One call at a time; asking for a beat while one runs folds into one more
// after it. A control plane that forgot the runner (it was declared lost) gets the registration again.
import type { ControlPlane, InstanceReport, InstanceTarget, Logger, RunnerRegistration } from "@ferry/core";
import { messageOf } from "./prediction-reporter.js";

export interface HeartbeatsDeps {
  controlPlane: Pick<ControlPlane, "registerRunner" | "heartbeat">;
  registration: RunnerRegistration;
  /** The instances as they are now (read at each beat). */
  instances(): InstanceReport[];
  /** The targets of a successful beat. */
  onTargets(targets: InstanceTarget[]): void;
  /** A beat succeeded after one or more failed: the control plane is reachable again. */
  onReconnected?(): void;
  intervalMs: number;
  log: Logger;
}

export interface Heartbeats {
  start(): void;
  /** Asks for a beat now (coalesced with one in flight). */
  beatNow(): void;
  /** Resolves after the next beat that starts from now has finished (for tests and drains). */
  next(): Promise<void>;
  stop(): void;
}

export function createHeartbeats(deps: HeartbeatsDeps): Heartbeats {
  const { controlPlane, registration, log } = deps;
  const runnerId = registration.runnerId;
  let registered = false;
  let failing = false;
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | null = null;
  let waiters: (() => void)[] = [];

  async function beat(): Promise<void> {
    if (!registered) {
      await controlPlane.registerRunner(registration);
      registered = true;
      log.info({ runner: runnerId, hardware: registration.hardware, maxInstances: registration.maxInstances }, "runner registered");
    }
    let reply = await controlPlane.heartbeat(runnerId, deps.instances());
    if (!reply.known) {
      log.warn({ runner: runnerId }, "the control plane does not know this runner any more: registering again");
      registered = false;
      await controlPlane.registerRunner(registration);
      registered = true;
      reply = await controlPlane.heartbeat(runnerId, deps.instances());
    }
    if (stopped) return;
    if (failing) {
      failing = false;
      log.info({ runner: runnerId }, "the control plane is reachable again");
      deps.onReconnected?.();
    }
    deps.onTargets(reply.targets);
  }

  async function drain(): Promise<void> {
    do {
      again = false;
      const served = waiters;
      waiters = [];
      try {
        await beat();
      } catch (error) {
        // The runner keeps running what it holds; the next tick tries again.
        if (!failing) log.warn({ runner: runnerId, error: messageOf(error) }, "heartbeat failed");
        failing = true;
      }
      for (const resolve of served) resolve();
    } while (again && !stopped);
    running = null;
  }

  const request = (): void => {
    if (stopped) return;
    if (running !== null) again = true;
    else running = drain();
  };

  return {
    start() {
      stopped = false;
      timer = setInterval(request, deps.intervalMs);
      timer.unref();
      request();
    },
    beatNow: request,
    next() {
      return new Promise((resolve) => {
        waiters.push(resolve);
        request();
      });
    },
    stop() {
      stopped = true;
      if (timer !== null) clearInterval(timer);
      for (const resolve of waiters.splice(0)) resolve();
    },
  };
}
