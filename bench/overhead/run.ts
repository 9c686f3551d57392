// bench/overhead: p50/p99 of sync ferry/hello-world predictions through the API against a bare node:http round
// trip, and sustained sync predictions/s with 32 concurrent clients, all in one run on this machine.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { createLoad, percentile, type Target } from "./load.js";
import { BENCH_TOKEN, exitOf, startFerry } from "../support/server-process.js";

const ROOT = resolve(import.meta.dirname, "..", "..");
const TOKEN = BENCH_TOKEN;
const SAMPLES = Number(process.env["BENCH_SAMPLES"] ?? "2000");
const DURATION_MS = Number(process.env["BENCH_DURATION_MS"] ?? "10000");
const CLIENTS = 32;

async function main(): Promise<void> {
  const bare = await spawnAndWait(["--import", "tsx", join(ROOT, "bench/overhead/bare-server.ts"), "0"], /listening (\d+)/);
  // The API path alone: no background example runs, no warm official instances competing for the 2 cores.
  const ferry = await startFerry({}, { inheritOutput: true });
  const ferryPort = ferry.port;

  const body = JSON.stringify({ input: { text: "bench" } });
  const bareTarget: Target = { port: bare.port, path: "/", headers: {}, body, check: expectHello };
  const ferryTarget: Target = {
    port: ferryPort,
    path: "/v1/models/ferry/hello-world/predictions",
    headers: { authorization: `Bearer ${TOKEN}`, prefer: "wait" },
    body,
    check: expectHello,
  };

  try {
    const bareLoad = createLoad(bareTarget, CLIENTS);
    const ferryLoad = createLoad(ferryTarget, CLIENTS);
    await ferryLoad.latencies(200); // cold boot of the instance and JIT warm-up
    await bareLoad.latencies(200);

    const bareLatency = await bareLoad.latencies(SAMPLES);
    const ferryLatency = await ferryLoad.latencies(SAMPLES);
    const bareRate = await bareLoad.throughput(CLIENTS, DURATION_MS);
    const processes = ferryProcesses(ferry.child.pid ?? 0);
    const cpuBefore = processes.map(cpuMs);
    const ferryRate = await ferryLoad.throughput(CLIENTS, DURATION_MS);
    const cpuUsed = processes.map((pid, i) => cpuMs(pid) - (cpuBefore[i] ?? 0));
    bareLoad.close();
    ferryLoad.close();

    const result = {
      date: new Date().toISOString(),
      machine: `${cpus().length} cores, ${cpus()[0]?.model ?? "unknown cpu"}, node ${process.version}`,
      samples: SAMPLES,
      bare: { p50_ms: percentile(bareLatency, 50), p99_ms: percentile(bareLatency, 99), per_second: bareRate.perSecond },
      ferry: { p50_ms: percentile(ferryLatency, 50), p99_ms: percentile(ferryLatency, 99), per_second: ferryRate.perSecond },
      // CPU time (user + system) per sync prediction during the throughput run; Linux only, null elsewhere.
      cpu_us_per_prediction: {
        server: perPrediction(cpuUsed[0], ferryRate.completed),
        instance: perPrediction(cpuUsed.slice(1).reduce((a, b) => a + b, 0), ferryRate.completed),
      },
    };
    const added = result.ferry.p50_ms - result.bare.p50_ms;
    writeFileSync(join(ROOT, "bench/results", `overhead-${result.date.slice(0, 19).replace(/:/g, "")}.json`), JSON.stringify(result, null, 2));
    console.log(`\n${result.machine}, ${SAMPLES} sequential samples, ${CLIENTS} clients for ${DURATION_MS / 1000} s\n`);
    console.log("| path | p50 ms | p99 ms | sync req/s (32 clients) |");
    console.log("|---|---|---|---|");
    console.log(`| bare node:http | ${f(result.bare.p50_ms)} | ${f(result.bare.p99_ms)} | ${Math.round(result.bare.per_second)} |`);
    console.log(`| ferry hello-world (Prefer: wait) | ${f(result.ferry.p50_ms)} | ${f(result.ferry.p99_ms)} | ${Math.round(result.ferry.per_second)} |`);
    console.log(`\nadded p50: ${f(added)} ms (target ≤ 1 ms); sync predictions/s: ${Math.round(result.ferry.per_second)} (target ≥ 3000)`);
    const { server, instance } = result.cpu_us_per_prediction;
    if (server !== null) console.log(`CPU per prediction under load: server ${server} µs, model instance ${instance} µs`);
  } finally {
    bare.child.kill("SIGTERM");
    await Promise.all([exitOf(bare.child), ferry.stop()]);
  }
}

function expectHello(status: number, text: string): void {
  if (status !== 201) throw new Error(`unexpected status ${status}: ${text}`);
  const body = JSON.parse(text) as { status?: string; output?: unknown };
  if (body.status !== "succeeded" || body.output !== "hello bench") throw new Error(`unexpected answer: ${text}`);
}

/** The server process and its children (the model instances), from /proc; just the server elsewhere. */
function ferryProcesses(pid: number): number[] {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
    return [pid, ...(children === "" ? [] : children.split(/\s+/).map(Number))];
  } catch {
    return [pid];
  }
}

/** user + system CPU time of a process in ms (Linux /proc, clock ticks of 10 ms); NaN where unavailable. */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

function perPrediction(ms: number | undefined, completed: number): number | null {
  return ms === undefined || !Number.isFinite(ms) || completed === 0 ? null : Math.round((ms * 1000) / completed);
}

function f(ms: number): string {
  return ms.toFixed(3);
}

/** Starts a node process and resolves with the port it prints (`ready` captures it) once it does. */
async function spawnAndWait(args: string[], ready: RegExp) {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolvePort, reject) => {
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      const match = ready.exec(out);
      if (match) resolvePort(Number(match[1]));
    });
    child.once("exit", () => reject(new Error(`process exited: ${out}`)));
  });
  return { child, port };
}

await main();
