// GET /metrics: Prometheus text format. Queue depth, instances by state, runners, cold boots and unhealthy versions
// are read from the scheduler when scraped; prediction latency is observed in-process as predictions end (no query
// per prediction). Each API node serves its own view. No token: scrapers rarely carry one, and the labels are
// model names and counts only.
import { isTerminal } from "@ferry/core";
import type { Engine } from "@ferry/engine";
import type { FastifyInstance } from "fastify";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Seconds from creation to the end: sync predictions in milliseconds, cold boots in seconds, long runs in minutes. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 1800];

export function metricsRoutes(app: FastifyInstance, deps: { engine: Engine }): void {
  const { engine } = deps;
  const registry = new Registry();
  // The standard names (process_cpu_seconds_total, nodejs_heap_size_used_bytes, …) that ready-made dashboards expect.
  collectDefaultMetrics({ register: registry });

  let snapshot: ReturnType<Engine["scheduler"]["snapshot"]> | null = null;
  // One scheduler snapshot per scrape, shared by every metric that reads it.
  const current = () => (snapshot ??= engine.scheduler.snapshot().finally(() => setImmediate(() => (snapshot = null))));

  new Gauge({
    name: "ferry_queue_depth",
    help: "Predictions queued and not yet claimed by a runner, by model.",
    labelNames: ["model"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const { model, count } of (await current()).queued) this.set({ model }, count);
    },
  });
  new Gauge({
    name: "ferry_instances",
    help: "Model instances the runners reported in their last heartbeat, by model and state.",
    labelNames: ["model", "state"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const { model, state, count } of (await current()).instances) this.set({ model, state }, count);
    },
  });
  new Gauge({
    name: "ferry_runners",
    help: "Runners registered with this API node and heartbeating.",
    registers: [registry],
    async collect() {
      this.set((await current()).runners.length);
    },
  });
  new Counter({
    name: "ferry_cold_boots_total",
    help: "Instances booted since this API node started, by model and deployment (empty for on-demand use).",
    labelNames: ["model", "deployment"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const { model, deployment, count } of (await current()).coldBoots) this.inc({ model, deployment }, count);
    },
  });
  new Gauge({
    name: "ferry_unhealthy_versions",
    help: "Model versions in a crash loop (their new work fails fast or goes to a fallback), by model.",
    labelNames: ["model"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const { model } of (await current()).unhealthy) this.inc({ model });
    },
  });
  const latency = new Histogram({
    name: "ferry_prediction_duration_seconds",
    help: "Seconds from a prediction's creation to its end, by model and final status.",
    labelNames: ["model", "status"],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });

  const unsubscribe = engine.bus.subscribeAll(({ prediction }) => {
    if (!isTerminal(prediction.status) || prediction.completedAt === null) return;
    const seconds = (Date.parse(prediction.completedAt) - Date.parse(prediction.createdAt)) / 1000;
    latency.observe({ model: prediction.model, status: prediction.status }, Math.max(0, seconds));
  });
  app.addHook("onClose", (_instance, done) => {
    unsubscribe();
    done();
  });

  app.get("/metrics", async (_request, reply) => {
    const body = await registry.metrics();
    return reply.type(registry.contentType).send(body);
  });
}
