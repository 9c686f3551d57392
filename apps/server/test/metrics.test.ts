// GET /metrics: Prometheus text with queue depth, runners, instances, cold boots and the prediction latency
// histogram, read from the real engine as predictions are queued, run and ended.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness } from "./support/harness.js";
import type { Harness } from "./support/harness.js";
import { registerTestModel } from "./support/models.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const scrape = async () => {
  const res = await h.app.inject({ method: "GET", url: "/metrics" });
  expect(res.statusCode).toBe(200);
  expect(res.headers["content-type"]).toContain("text/plain");
  return res.body;
};

describe("GET /metrics", () => {
  it("reports queue depth, runners, instances, cold boots and prediction latency", async () => {
    const { model, version } = await registerTestModel(h.engine, { name: "metered" });
    const ref = `${model.owner}/${model.name}`;
    const create = () => h.call({ method: "POST", url: "/v1/predictions", payload: { version: version.id, input: { text: "x" } } });
    expect((await create()).statusCode).toBe(201);
    const second = (await create()).json<{ id: string }>();

    const cp = h.engine.controlPlane;
    await cp.registerRunner({ runnerId: "r1", name: "box", hardware: ["cpu"], resources: { cpus: 2, memoryBytes: 1e9, gpus: [] }, maxInstances: 2 });
    const now = new Date().toISOString();
    await cp.heartbeat("r1", [
      { id: "i1", versionId: version.id, state: "busy", concurrency: 1, running: [], startedAt: now, readyAt: now, idleSince: null, failure: null },
    ]);
    await cp.instanceEvent("r1", { type: "booting", instanceId: "i1", versionId: version.id, at: now });

    let body = await scrape();
    expect(body).toContain(`ferry_queue_depth{model="${ref}"} 2`);
    expect(body).toContain("ferry_runners 1");
    // Process metrics keep their standard names, as dashboards expect them.
    expect(body).toMatch(/^process_cpu_seconds_total \d/m);
    expect(body).toContain(`ferry_instances{model="${ref}",state="busy"} 1`);
    expect(body).toContain(`ferry_cold_boots_total{model="${ref}",deployment=""} 1`);

    const assignment = await cp.claim("r1", version.id);
    await cp.report("r1", assignment!.predictionId, { type: "started" });
    await cp.report("r1", assignment!.predictionId, { type: "failed", error: "boom" });
    await h.call({ method: "POST", url: `/v1/predictions/${second.id}/cancel` });

    body = await scrape();
    // Nothing of the model is queued any more: its series is gone rather than stuck at its last value.
    expect(body).not.toContain(`ferry_queue_depth{model="${ref}"}`);
    expect(body).toContain(`ferry_prediction_duration_seconds_count{model="${ref}",status="failed"} 1`);
    expect(body).toContain(`ferry_prediction_duration_seconds_count{model="${ref}",status="canceled"} 1`);
  });
});
