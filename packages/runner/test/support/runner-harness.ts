// Starts a runner against an in-memory control plane and stops it (and so every instance process) after the test.
import { afterEach } from "vitest";
import type { VersionRuntime } from "@ferry/core";
import { createRunner } from "../../src/index.js";
import type { Runner, RunnerOptions } from "../../src/index.js";
import { createMemoryControlPlane } from "./memory-control-plane.js";
import type { MemoryControlPlane, MemorySchedulerOptions } from "./memory-control-plane.js";

const running: Runner[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((runner) => runner.stop()));
});

export interface Harness {
  plane: MemoryControlPlane;
  runner: Runner;
}

/** The machine's resources as a test runner reports them: no detection (and no nvidia-smi) in unit tests. */
export const TEST_RESOURCES = { cpus: 2, memoryBytes: 4 * 1024 ** 3, gpus: [] };

export async function startRunner(
  versions: VersionRuntime[],
  options: Partial<RunnerOptions> = {},
  scheduler: MemorySchedulerOptions = {},
): Promise<Harness> {
  const plane = createMemoryControlPlane(versions, options.clock, scheduler);
  const runner = createRunner({
    controlPlane: plane,
    pollIntervalMs: 100,
    heartbeatIntervalMs: 100,
    setupTimeoutMs: 20_000,
    cancelGraceMs: 1_000,
    resources: TEST_RESOURCES,
    ...options,
  });
  running.push(runner);
  await runner.start();
  return { plane, runner };
}

/** Polls `condition` every 20 ms; rejects after `timeoutMs`. For facts only a real process can make true. */
export async function eventually(condition: () => boolean, timeoutMs = 10_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
