// `ferry runner`: a runner on this machine for a remote API, over the HTTP runner protocol. It runs until SIGTERM or
// SIGINT, then drains: no new work, running predictions get the drain timeout to finish, then the instances stop.
// A second signal stops at once.
import { newId } from "@ferry/core";
import type { Logger } from "@ferry/core";
import { createHttpControlPlane, createRunner } from "@ferry/runner";
import type { RunnerCommand } from "./args.js";

export async function runRunnerCommand(command: RunnerCommand, log: Logger): Promise<number> {
  const controlPlane = createHttpControlPlane({ apiUrl: command.apiUrl, token: command.token, log });
  const runner = createRunner({
    controlPlane,
    runnerId: `runner-${newId()}`,
    ...(command.name !== null ? { name: command.name } : {}),
    hardware: command.hardware,
    maxInstances: command.maxInstances,
    heartbeatIntervalMs: command.heartbeatIntervalMs,
    // Polling is the fallback to signals; over the network it can be slower than in-process.
    pollIntervalMs: 2_000,
    log,
    inputs: {
      // Files-API inputs (and built-in models' example files) are signed links to the API itself.
      trustedUrlPrefixes: [new URL(`${command.apiUrl}/v1/files/`).href, new URL(`${command.apiUrl}/v1/models/`).href],
    },
  });

  let stopping: Promise<void> | null = null;
  const stopped = new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping !== null) {
        log.warn({ signal }, "second signal: stopping now");
        void runner.stop().then(resolve);
        return;
      }
      log.info({ signal, drainMs: command.drainMs }, "draining");
      stopping = runner.stop({ drainMs: command.drainMs }).then(resolve);
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });

  await runner.start();
  log.info({ runner: runner.runnerId, api: command.apiUrl, hardware: command.hardware, maxInstances: command.maxInstances }, "runner up");
  await stopped;
  controlPlane.close();
  return 0;
}
