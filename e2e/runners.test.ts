// Runners as their own processes: an API without a runner of its own (FERRY_EMBEDDED_RUNNER=false) and two
// `ferry runner` processes on loopback, one with "cpu" and one with "cpu,gpu-t4". Work lands only where the
// hardware matches, one instance runs several predictions at once, a killed instance fails only its prediction,
// and a runner killed with SIGKILL loses its leases: its running work fails "runner lost", queued work runs on the
// other runner. The official client drives everything. (SQLite: the scheduling itself is not database-specific.)
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type Replicate from "replicate";
import { clientFor, pollPrediction } from "./support/client.js";
import { startRunnerProcess, type RunnerProcess } from "./support/runner-process.js";
import { removeDataDir, startServer, type RunningServer } from "./support/server.js";

const RUNNER_TOKEN = "e2e-runner-token-0123456789abcdef";
const MODELS_DIR = fileURLToPath(new URL("./fixtures/runner-models", import.meta.url));

interface Timed {
  id: string;
  status: string;
  error?: unknown;
  output?: unknown;
  started_at?: string | null;
  completed_at?: string | null;
  timeline?: { phase: string; runner_id?: string; instance_id?: string }[];
}

const runnersOf = (p: Timed): string[] => [...new Set((p.timeline ?? []).flatMap((e) => (e.runner_id === undefined ? [] : [e.runner_id])))];
const ended = (p: { status: string }) => ["succeeded", "failed", "canceled"].includes(p.status);

describe("two runner processes with different hardware", () => {
  let server: RunningServer;
  let cpu: RunnerProcess;
  let gpu: RunnerProcess;
  let replicate: Replicate;

  beforeAll(async () => {
    server = await startServer({
      env: {
        FERRY_EMBEDDED_RUNNER: "false",
        FERRY_RUNNER_TOKEN: RUNNER_TOKEN,
        FERRY_MODELS_DIR: MODELS_DIR,
        FERRY_RUN_EXAMPLES: "false",
        FERRY_OFFICIAL_MIN_INSTANCES: "0",
        // One instance per version: work queues behind a running prediction instead of booting more instances.
        FERRY_MAX_INSTANCES: "1",
      },
    });
    [cpu, gpu] = await Promise.all([
      startRunnerProcess({ apiUrl: server.baseUrl, token: RUNNER_TOKEN, args: ["--hardware", "cpu", "--name", "cpu-runner"] }),
      startRunnerProcess({ apiUrl: server.baseUrl, token: RUNNER_TOKEN, args: ["--hardware", "cpu,gpu-t4", "--name", "gpu-runner"] }),
    ]);
    replicate = clientFor(server);
  });

  afterAll(async () => {
    await Promise.all([cpu?.kill(), gpu?.kill()]);
    await server?.kill();
    if (server) removeDataDir(server.dataDir);
  });

  it("runs work for gpu-t4 hardware only on the runner that has it", async () => {
    const created = await Promise.all([0, 1, 2].map((i) => replicate.predictions.create({ model: "ferry/hello-gpu", input: { text: `g${i}` } })));

    for (const [i, p] of created.entries()) {
      const done = (await pollPrediction(replicate, p.id, ended)) as unknown as Timed;
      expect(done).toMatchObject({ status: "succeeded", output: `hello g${i}` });
      expect(runnersOf(done)).toEqual([gpu.runnerId]);
    }
  });

  it("runs several predictions at once on one instance of a model with concurrency 4", async () => {
    const created = await Promise.all([0, 1, 2, 3].map((i) => replicate.predictions.create({ model: "ferry/hello-gpu", input: { text: `c${i}`, delay_ms: 1_500 } })));

    const done = (await Promise.all(created.map((p) => pollPrediction(replicate, p.id, ended)))) as unknown as Timed[];

    expect(done.map((p) => p.status)).toEqual(["succeeded", "succeeded", "succeeded", "succeeded"]);
    const instances = new Set(done.flatMap((p) => (p.timeline ?? []).filter((e) => e.phase === "running").map((e) => e.instance_id)));
    expect(instances.size).toBe(1);
    expect(maxOverlap(done)).toBeGreaterThanOrEqual(2);
  });

  it("fails the prediction whose instance was killed with a clear error, and runs the next one", async () => {
    const victim = await replicate.predictions.create({ model: "ferry/sleep-cpu", input: { text: "victim", delay_ms: 60_000 } });
    const running = (await pollPrediction(replicate, victim.id, (p) => p.status === "processing")) as unknown as Timed;
    const [runnerId] = runnersOf(running);
    const holder = runnerId === cpu.runnerId ? cpu : gpu;
    const pids = holder.instancePids("sleep-cpu");
    expect(pids).toHaveLength(1);

    process.kill(pids[0] ?? 0, "SIGKILL");

    const failed = (await pollPrediction(replicate, victim.id, ended)) as unknown as Timed;
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/^The model instance stopped unexpectedly \(exit code none, signal SIGKILL\) while running this prediction/);
    const next = await replicate.predictions.create({ model: "ferry/sleep-cpu", input: { text: "next" } });
    expect(await pollPrediction(replicate, next.id, ended)).toMatchObject({ status: "succeeded", output: "hello next" });
  });

  it("recovers the leases of a runner killed with SIGKILL: running work fails, queued work runs on the other runner", async () => {
    const running = await replicate.predictions.create({ model: "ferry/sleep-cpu", input: { text: "long", delay_ms: 60_000 } });
    const started = (await pollPrediction(replicate, running.id, (p) => p.status === "processing")) as unknown as Timed;
    // One instance per version, busy: this one waits in the queue.
    const queued = await replicate.predictions.create({ model: "ferry/sleep-cpu", input: { text: "queued" } });
    const [runnerId] = runnersOf(started);
    const [lost, survivor] = runnerId === cpu.runnerId ? [cpu, gpu] : [gpu, cpu];

    await lost.kill();

    const failed = (await pollPrediction(replicate, running.id, ended, 90_000)) as unknown as Timed;
    expect(failed.status).toBe("failed");
    expect(failed.error).toBe("The runner running this prediction was lost");
    const recovered = (await pollPrediction(replicate, queued.id, ended, 90_000)) as unknown as Timed;
    expect(recovered).toMatchObject({ status: "succeeded", output: "hello queued" });
    expect(runnersOf(recovered)).toEqual([survivor.runnerId]);
  });

  it("drains on SIGTERM: the running prediction finishes, then the runner exits cleanly", async () => {
    const [survivor] = [cpu, gpu].filter((r) => r.process.exitCode === null && r.process.signalCode === null);
    if (survivor === undefined) throw new Error("no runner left");
    const p = await replicate.predictions.create({ model: "ferry/sleep-cpu", input: { text: "drained", delay_ms: 1_500 } });
    await pollPrediction(replicate, p.id, (x) => x.status === "processing");

    expect(await survivor.stop()).toBe(0);

    expect(await replicate.predictions.get(p.id)).toMatchObject({ status: "succeeded", output: "hello drained" });
  });
});

/** The most predictions that were processing at the same moment. */
function maxOverlap(predictions: Timed[]): number {
  const edges = predictions.flatMap((p) => [
    { at: Date.parse(p.started_at ?? ""), delta: 1 },
    { at: Date.parse(p.completed_at ?? ""), delta: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let current = 0;
  let max = 0;
  for (const edge of edges) max = Math.max(max, (current += edge.delta));
  return max;
}
