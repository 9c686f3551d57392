// bench/scheduling: what the scheduler adds to a prediction's start. (1) enqueue → start with a warm instance,
// (2) a cold boot's overhead beyond the model's own setup, (3) throughput as a version scales from 1 to 4 instances.
// Each part boots the real server (`npm start`'s main.ts, SQLite, the in-process runner) with the models in
// bench/scheduling/models; the models report their own clock, so the times are measured where they happen.
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { percentile } from "../overhead/load.js";
import { BENCH_TOKEN, startFerry, type FerryProcess } from "../support/server-process.js";

const ROOT = resolve(import.meta.dirname, "..", "..");
const TOKEN = BENCH_TOKEN;
const SAMPLES = Number(process.env["BENCH_SAMPLES"] ?? "300");
const COLD_RUNS = Number(process.env["BENCH_COLD_RUNS"] ?? "5");
const SLEEP_MS = Number(process.env["BENCH_SLEEP_MS"] ?? "100");
const DURATION_MS = Number(process.env["BENCH_DURATION_MS"] ?? "8000");
const CLIENTS = Number(process.env["BENCH_CLIENTS"] ?? "16");
/** Every wait in the bench is bounded: a run that cannot make progress fails instead of hanging. */
const WAIT_LIMIT_MS = 60_000;

interface PredictionJSON {
  id: string;
  status: string;
  output: unknown;
  error: string | null;
  created_at: string;
  metrics?: { queue_time?: number; boot_time?: number };
  timeline?: { phase: string; at: string }[];
}

/** The server with the models of bench/scheduling/models only. */
function startServer(env: Record<string, string>): Promise<FerryProcess> {
  return startFerry({ FERRY_MODELS_DIR: join(ROOT, "bench/scheduling/models"), ...env });
}

/** A sync prediction (Prefer: wait) that must succeed; returns its JSON and the parsed output. */
async function predict(server: FerryProcess, model: string, input: Record<string, unknown>): Promise<{ json: PredictionJSON; output: Record<string, number> }> {
  const response = await fetch(`${server.api}/models/${model}/predictions`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", prefer: "wait=60" },
    body: JSON.stringify({ input }),
  });
  const json = (await response.json()) as PredictionJSON;
  if (response.status !== 201 || json.status !== "succeeded") throw new Error(`prediction did not succeed: ${response.status} ${JSON.stringify(json)}`);
  return { json, output: JSON.parse(String(json.output)) as Record<string, number> };
}

/** Live instances of a model as GET /metrics reports them (runners that heartbeat), or null when none report. */
async function liveInstances(server: FerryProcess, model: string): Promise<number | null> {
  const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
  if (!/^ferry_runners [1-9]/m.test(text)) return null;
  let live = 0;
  for (const state of ["booting", "ready", "busy"]) {
    const match = new RegExp(`^ferry_instances\\{model="${model}",state="${state}"\\} (\\d+)`, "m").exec(text);
    live += match ? Number(match[1]) : 0;
  }
  return live;
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const stats = (samples: number[]) => ({ samples: samples.length, p50: percentile(samples, 50), p90: percentile(samples, 90), p99: percentile(samples, 99) });

async function warmStart(): Promise<{ enqueueToStart: ReturnType<typeof stats>; queueTime: ReturnType<typeof stats> }> {
  const server = await startServer({});
  try {
    await predict(server, "bench/sleep", { ms: 0 }); // the cold boot
    const latencies: number[] = [];
    const queueTimes: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const { json, output } = await predict(server, "bench/sleep", { ms: 0 });
      latencies.push(output["predict_at"]! - Date.parse(json.created_at));
      if (json.metrics?.queue_time !== undefined) queueTimes.push(json.metrics.queue_time * 1000);
    }
    return { enqueueToStart: stats(latencies), queueTime: stats(queueTimes) };
  } finally {
    await server.stop();
  }
}

type Stats = ReturnType<typeof stats>;

async function coldBoots(): Promise<{ total: Stats; setup: Stats; overhead: Stats; reaction: Stats; processStart: Stats; afterSetup: Stats }> {
  // Instances stop one second after their last prediction, so each run starts from zero.
  const server = await startServer({ FERRY_INSTANCE_IDLE_TIMEOUT: "1" });
  try {
    const totals: number[] = [];
    const setups: number[] = [];
    const overheads: number[] = [];
    const reactions: number[] = [];
    const processStarts: number[] = [];
    const afterSetups: number[] = [];
    for (let attempt = 0; totals.length < COLD_RUNS; attempt++) {
      if (attempt >= COLD_RUNS * 3) throw new Error("the instance never scaled to zero between runs");
      await until(async () => ((await liveInstances(server, "bench/slow-setup")) ?? 0) === 0, "the instance to scale to zero");
      // Idle timeout (1 s), a plan's reuse (1 s), a heartbeat (2 s) and the stop itself: then the version is at zero.
      await new Promise((r) => setTimeout(r, 6_000));
      const { json, output } = await predict(server, "bench/slow-setup", { tag: `run-${attempt}` });
      // An instance that was still up is not a cold boot: that run does not count.
      if (output["setup_started_at"]! < Date.parse(json.created_at)) continue;
      const total = output["predict_at"]! - Date.parse(json.created_at);
      const setup = output["setup_ended_at"]! - output["setup_started_at"]!;
      totals.push(total);
      setups.push(setup);
      overheads.push(total - setup);
      // Where the overhead goes: the scheduler's reaction (queued → the runner's booting entry), the instance
      // process starting until the model's setup begins, and readiness + dispatch after setup.
      const booting = json.timeline?.find((e) => e.phase === "booting");
      if (booting !== undefined) {
        reactions.push(Date.parse(booting.at) - Date.parse(json.created_at));
        processStarts.push(output["setup_started_at"]! - Date.parse(booting.at));
      }
      afterSetups.push(output["predict_at"]! - output["setup_ended_at"]!);
    }
    return {
      total: stats(totals),
      setup: stats(setups),
      overhead: stats(overheads),
      reaction: stats(reactions),
      processStart: stats(processStarts),
      afterSetup: stats(afterSetups),
    };
  } finally {
    await server.stop();
  }
}

async function throughput(instances: number): Promise<{ instances: number; live: number | null; perSecond: number; ideal: number }> {
  const server = await startServer({ FERRY_MAX_INSTANCES: String(instances) });
  try {
    // Load until the scheduler has scaled the version up (or, without heartbeating runners, for a few seconds).
    const deadline = Date.now() + 20_000;
    let live: number | null = 0;
    while (Date.now() < deadline) {
      await Promise.all(Array.from({ length: CLIENTS }, () => predict(server, "bench/sleep", { ms: SLEEP_MS })));
      live = await liveInstances(server, "bench/sleep");
      if (live === null ? Date.now() > deadline - 15_000 : live >= instances) break;
    }
    let done = 0;
    const endAt = Date.now() + DURATION_MS;
    const startedAt = Date.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (Date.now() < endAt) {
          await predict(server, "bench/sleep", { ms: SLEEP_MS });
          done += 1;
        }
      }),
    );
    const seconds = (Date.now() - startedAt) / 1000;
    return { instances, live, perSecond: done / seconds, ideal: (instances * 1000) / SLEEP_MS };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const warm = await warmStart();
  const cold = await coldBoots();
  const scaling = [];
  for (const n of [1, 2, 4]) scaling.push(await throughput(n));
  const result = {
    date: new Date().toISOString(),
    machine: `${cpus().length} cores, ${cpus()[0]?.model ?? "unknown cpu"}, node ${process.version}`,
    settings: { samples: SAMPLES, cold_runs: COLD_RUNS, sleep_ms: SLEEP_MS, duration_ms: DURATION_MS, clients: CLIENTS },
    warm,
    cold,
    scaling,
  };
  writeFileSync(join(ROOT, "bench/results", `scheduling-${result.date.slice(0, 19).replace(/:/g, "")}.json`), JSON.stringify(result, null, 2));

  const f = (ms: number) => ms.toFixed(2);
  console.log(`\n${result.machine}\n`);
  console.log("| measure | samples | p50 ms | p90 ms | p99 ms |");
  console.log("|---|---|---|---|---|");
  console.log(`| warm: enqueue → predict began (model clock − created_at) | ${warm.enqueueToStart.samples} | ${f(warm.enqueueToStart.p50)} | ${f(warm.enqueueToStart.p90)} | ${f(warm.enqueueToStart.p99)} |`);
  console.log(`| warm: metrics.queue_time | ${warm.queueTime.samples} | ${f(warm.queueTime.p50)} | ${f(warm.queueTime.p90)} | ${f(warm.queueTime.p99)} |`);
  console.log(`| cold: enqueue → predict began | ${cold.total.samples} | ${f(cold.total.p50)} | ${f(cold.total.p90)} | ${f(cold.total.p99)} |`);
  console.log(`| cold: the model's own setup | ${cold.setup.samples} | ${f(cold.setup.p50)} | ${f(cold.setup.p90)} | ${f(cold.setup.p99)} |`);
  console.log(`| cold: overhead beyond setup | ${cold.overhead.samples} | ${f(cold.overhead.p50)} | ${f(cold.overhead.p90)} | ${f(cold.overhead.p99)} |`);
  console.log(`| … of which: queued → boot begins (scheduler) | ${cold.reaction.samples} | ${f(cold.reaction.p50)} | ${f(cold.reaction.p90)} | ${f(cold.reaction.p99)} |`);
  console.log(`| … of which: boot → model setup begins (process start) | ${cold.processStart.samples} | ${f(cold.processStart.p50)} | ${f(cold.processStart.p90)} | ${f(cold.processStart.p99)} |`);
  console.log(`| … of which: setup ends → predict begins (ready, claim, dispatch) | ${cold.afterSetup.samples} | ${f(cold.afterSetup.p50)} | ${f(cold.afterSetup.p90)} | ${f(cold.afterSetup.p99)} |`);
  console.log(`\n| max instances | live instances seen | predictions/s (${SLEEP_MS} ms each, ${CLIENTS} clients) | ideal | share of ideal |`);
  console.log("|---|---|---|---|---|");
  for (const s of scaling) {
    console.log(`| ${s.instances} | ${s.live ?? "n/a"} | ${s.perSecond.toFixed(1)} | ${s.ideal.toFixed(0)} | ${((100 * s.perSecond) / s.ideal).toFixed(0)} % |`);
  }
}

await main();
