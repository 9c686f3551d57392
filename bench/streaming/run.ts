// bench/streaming: how long a token takes from the model's yield to an SSE client reading it, through the whole
// path (instance → runner → engine → store → bus → stream hub → HTTP), with one stream and with several at once.
// The model (models/stream-clock) yields its own clock; the reader compares it with its clock on the same machine.
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { percentile } from "../overhead/load.js";
import { BENCH_TOKEN, startFerry } from "../support/server-process.js";

const ROOT = resolve(import.meta.dirname, "..", "..");
const TOKEN = BENCH_TOKEN;
const TOKENS = Number(process.env["BENCH_TOKENS"] ?? "50");
const DELAY_MS = Number(process.env["BENCH_DELAY_MS"] ?? "20");
const RUNS = Number(process.env["BENCH_RUNS"] ?? "10");
const CONCURRENT = Number(process.env["BENCH_CONCURRENT"] ?? "8");

const now = (): number => performance.timeOrigin + performance.now();

interface Scenario {
  name: string;
  streams: number;
  samples: number[];
}

async function main(): Promise<void> {
  const server = await startFerry({ FERRY_MODELS_DIR: join(ROOT, "bench/streaming/models") });
  const api = server.api;
  try {
    await streamOnce(api, 3, 0); // cold boot of the instance
    const scenarios: Scenario[] = [
      { name: "1 stream", streams: 1, samples: [] },
      { name: `${CONCURRENT} concurrent streams`, streams: CONCURRENT, samples: [] },
    ];
    for (const scenario of scenarios) {
      for (let run = 0; run < RUNS; run++) {
        const results = await Promise.all(Array.from({ length: scenario.streams }, () => streamOnce(api, TOKENS, DELAY_MS)));
        for (const latencies of results) scenario.samples.push(...latencies);
      }
    }
    const result = {
      date: new Date().toISOString(),
      machine: `${cpus().length} cores, ${cpus()[0]?.model ?? "unknown cpu"}, node ${process.version}`,
      tokens_per_stream: TOKENS,
      delay_ms: DELAY_MS,
      runs: RUNS,
      scenarios: scenarios.map((s) => ({
        name: s.name,
        samples: s.samples.length,
        p50_ms: percentile(s.samples, 50),
        p90_ms: percentile(s.samples, 90),
        p99_ms: percentile(s.samples, 99),
        max_ms: Math.max(...s.samples),
      })),
    };
    writeFileSync(join(ROOT, "bench/results", `streaming-${result.date.slice(0, 19).replace(/:/g, "")}.json`), JSON.stringify(result, null, 2));
    console.log(`\n${result.machine}; ${TOKENS} tokens per stream, ${DELAY_MS} ms apart, ${RUNS} runs per scenario\n`);
    console.log("| model yield → SSE client | samples | p50 ms | p90 ms | p99 ms | max ms |");
    console.log("|---|---|---|---|---|---|");
    for (const s of result.scenarios) {
      console.log(`| ${s.name} | ${s.samples} | ${f(s.p50_ms)} | ${f(s.p90_ms)} | ${f(s.p99_ms)} | ${f(s.max_ms)} |`);
    }
  } catch (error) {
    console.error(`server output:\n${server.log().slice(-4000)}`);
    throw error;
  } finally {
    await server.stop();
  }
}

/**
 * Creates one prediction, reads its stream to the end, and returns each token's latency. The first token is left
 * out: it may have been yielded before the stream was opened (then it comes from the replay, not live).
 */
async function streamOnce(api: string, count: number, delayMs: number): Promise<number[]> {
  const created = await fetch(`${api}/models/bench/stream-clock/predictions`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ input: { count, delay_ms: delayMs } }),
  });
  if (created.status !== 201) throw new Error(`create failed: ${created.status} ${await created.text()}`);
  const prediction = (await created.json()) as { urls: { stream?: string } };
  if (prediction.urls.stream === undefined) throw new Error("the prediction has no urls.stream");
  const response = await fetch(prediction.urls.stream, { headers: { accept: "text/event-stream" } });
  if (response.status !== 200 || response.body === null) throw new Error(`stream failed: ${response.status}`);

  const latencies: number[] = [];
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let pending = "";
  for (;;) {
    const { value, done } = await reader.read();
    const receivedAt = now();
    if (done) break;
    pending += value;
    let end: number;
    while ((end = pending.indexOf("\n\n")) >= 0) {
      const block = pending.slice(0, end);
      pending = pending.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event === "output" && data !== undefined) latencies.push(receivedAt - Number(data));
      if (event === "error") throw new Error(`prediction failed: ${data}`);
    }
  }
  if (latencies.length !== count) throw new Error(`expected ${count} tokens, got ${latencies.length}`);
  return latencies.slice(1);
}

function f(ms: number): string {
  return ms.toFixed(2);
}

await main();
