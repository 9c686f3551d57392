// Graceful shutdown on SIGINT/SIGTERM: run the steps in order, each failure logged, the whole bounded in time.
import type { Logger } from "@ferry/core";

export interface ShutdownStep {
  name: string;
  run(): Promise<void>;
}

/**
 * On the first SIGINT or SIGTERM runs `steps` in order and exits 0; a step that throws is logged and the next
 * one still runs. Past `timeoutMs`, or on a second signal, exits 1 at once.
 */
export function installShutdown(steps: ShutdownStep[], log: Logger, timeoutMs: number): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, "shutting down");
    const timer = setTimeout(() => {
      log.error({ timeoutMs }, "shutdown took too long: exiting now");
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    void runSteps(steps, log).then(() => {
      log.info({}, "stopped");
      process.exit(0);
    });
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

/** Runs each step in order; a step that throws is logged and the next one still runs. */
export async function runSteps(steps: ShutdownStep[], log: Logger): Promise<void> {
  for (const step of steps) {
    const started = Date.now();
    try {
      await step.run();
    } catch (error) {
      log.error({ step: step.name, err: error }, "shutdown step failed");
    }
    // A slow step is worth seeing: the whole shutdown is bounded, and this says where the time went.
    const ms = Date.now() - started;
    if (ms >= 1_000) log.info({ step: step.name, ms }, "slow shutdown step");
    else log.debug({ step: step.name, ms }, "shutdown step done");
  }
}
