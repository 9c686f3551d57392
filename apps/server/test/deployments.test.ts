// The deployment endpoints as the official clients use them (spec §2.7, §3.5), plus the 400 for an unknown
// hardware SKU and the 429 with Retry-After for a full queue (the harness allows 2 queued predictions).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HARDWARE } from "../src/hardware-catalog.js";
import { OTHER_TOKEN, startHarness } from "./support/harness.js";
import type { Harness } from "./support/harness.js";
import { registerTestModel } from "./support/models.js";

const PROBLEM_JSON = "application/problem+json; charset=utf-8";
let h: Harness;
let first: string;
let second: string;
beforeAll(async () => {
  h = await startHarness();
  first = (await registerTestModel(h.engine, { name: "greeter", seed: "one" })).version.id;
  second = (await registerTestModel(h.engine, { name: "greeter", seed: "two" })).version.id;
});
afterAll(() => h.close());

const body = (name: string, overrides: Record<string, unknown> = {}) => ({
  name,
  model: "ferry/greeter",
  version: first,
  hardware: "gpu-t4",
  min_instances: 0,
  max_instances: 5,
  ...overrides,
});

describe("POST /v1/deployments", () => {
  it("creates release 1 in the shape of spec §3.5", async () => {
    const res = await h.call({ method: "POST", url: "/v1/deployments", payload: body("web") });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      owner: "alice",
      name: "web",
      current_release: {
        number: 1,
        model: "ferry/greeter",
        version: first,
        created_at: expect.stringMatching(/Z$/) as unknown,
        created_by: { type: "user", username: "alice", name: "alice" },
        configuration: { hardware: "gpu-t4", min_instances: 0, max_instances: 5, max_queue: null, fallback: null, retry_crashed: false },
      },
    });
  });

  it("answers an unknown SKU with 400 listing every valid SKU, and creates nothing", async () => {
    const res = await h.call({ method: "POST", url: "/v1/deployments", payload: body("bad-hw", { hardware: "gpu-t5" }) });
    expect(res.statusCode).toBe(400);
    expect(res.headers["content-type"]).toBe(PROBLEM_JSON);
    const problem = res.json();
    expect(problem).toMatchObject({ title: "Validation failed", status: 400 });
    expect(problem.detail).toContain(`gpu-t5 is not a valid hardware SKU. Your options are: ${HARDWARE.map((x) => x.sku).join(", ")}`);
    expect(problem.errors).toEqual([{ pointer: "/hardware", detail: expect.stringContaining("gpu-t5") as unknown }]);
    expect((await h.call({ method: "GET", url: "/v1/deployments/alice/bad-hw" })).statusCode).toBe(404);
  });

  it("answers a missing field with 400 and a taken name with 409", async () => {
    const missing = await h.call({ method: "POST", url: "/v1/deployments", payload: { name: "x", model: "ferry/greeter" } });
    expect(missing.statusCode).toBe(400);
    await h.call({ method: "POST", url: "/v1/deployments", payload: body("taken") });
    expect((await h.call({ method: "POST", url: "/v1/deployments", payload: body("taken") })).statusCode).toBe(409);
  });
});

describe("GET, PATCH and DELETE /v1/deployments/{owner}/{name}", () => {
  it("updates into release 2 with only the given fields changed, and lists newest first", async () => {
    await h.call({ method: "POST", url: "/v1/deployments", payload: body("patched", { min_instances: 1 }) });
    const res = await h.call({
      method: "PATCH",
      url: "/v1/deployments/alice/patched",
      payload: { version: second, hardware: "gpu-a40-large", max_instances: 10 },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().current_release).toMatchObject({
      number: 2,
      version: second,
      configuration: { hardware: "gpu-a40-large", min_instances: 1, max_instances: 10 },
    });
    const got = await h.call({ method: "GET", url: "/v1/deployments/alice/patched" });
    expect(got.json().current_release.number).toBe(2);
    const list = await h.call({ method: "GET", url: "/v1/deployments" });
    expect(list.json()).toMatchObject({ previous: null, next: null });
    expect(list.json().results[0].name).toBe("patched");
  });

  it("hides a deployment from other accounts", async () => {
    const res = await h.call({ method: "GET", url: "/v1/deployments/alice/web", headers: { authorization: `Bearer ${OTHER_TOKEN}` } });
    expect(res.statusCode).toBe(404);
    const list = await h.call({ method: "GET", url: "/v1/deployments", headers: { authorization: `Bearer ${OTHER_TOKEN}` } });
    expect(list.json().results).toEqual([]);
  });

  it("deletes an offline deployment with 204 and refuses an online one with 409", async () => {
    await h.call({ method: "POST", url: "/v1/deployments", payload: body("online", { min_instances: 1 }) });
    const refused = await h.call({ method: "DELETE", url: "/v1/deployments/alice/online" });
    expect(refused.statusCode).toBe(409);
    await h.call({ method: "POST", url: "/v1/deployments", payload: body("offline") });
    const res = await h.call({ method: "DELETE", url: "/v1/deployments/alice/offline" });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe("");
    expect((await h.call({ method: "GET", url: "/v1/deployments/alice/offline" })).statusCode).toBe(404);
  });
});

describe("POST /v1/deployments/{owner}/{name}/predictions", () => {
  it("creates a prediction that carries the deployment and the current release's version", async () => {
    await h.call({ method: "POST", url: "/v1/deployments", payload: body("runs", { max_queue: 10 }) });
    const res = await h.call({ method: "POST", url: "/v1/deployments/alice/runs/predictions", payload: { input: { text: "hi" } } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ status: "starting", deployment: "alice/runs", model: "ferry/greeter", version: first });
    const read = await h.call({ method: "GET", url: `/v1/predictions/${res.json().id}` });
    expect(read.json().deployment).toBe("alice/runs");
  });

  it("answers 429 with Retry-After once the queue is full, and a fallback takes over when one is set", async () => {
    await h.call({ method: "POST", url: "/v1/deployments", payload: body("busy") });
    for (let i = 0; i < 2; i++) {
      expect((await h.call({ method: "POST", url: "/v1/deployments/alice/busy/predictions", payload: { input: { text: "q" } } })).statusCode).toBe(201);
    }
    const full = await h.call({ method: "POST", url: "/v1/deployments/alice/busy/predictions", payload: { input: { text: "q" } } });
    expect(full.statusCode).toBe(429);
    expect(full.headers["retry-after"]).toBe("5");
    expect(full.headers["content-type"]).toBe(PROBLEM_JSON);
    expect(full.json()).toMatchObject({ title: "Too many requests", status: 429, detail: expect.stringContaining("alice/busy") as unknown });

    await h.call({ method: "PATCH", url: "/v1/deployments/alice/busy", payload: { fallback: second } });
    const served = await h.call({ method: "POST", url: "/v1/deployments/alice/busy/predictions", payload: { input: { text: "q" } } });
    expect(served.statusCode).toBe(201);
    expect(served.json()).toMatchObject({ version: second, fallback_from: "alice/busy" });
    expect(served.json().deployment).toBeUndefined();
  });

  it("shows a deployment's releases newest first, its queue depth, its instances and its recent latency", async () => {
    // A version of its own, so the claim below cannot take another test's queued work.
    const own = (await registerTestModel(h.engine, { name: "watched", seed: "live" })).version.id;
    await h.call({ method: "POST", url: "/v1/deployments", payload: body("live", { model: "ferry/watched", version: own, max_queue: 10 }) });
    await h.call({ method: "PATCH", url: "/v1/deployments/alice/live", payload: { max_instances: 3 } });
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) ids.push((await h.call({ method: "POST", url: "/v1/deployments/alice/live/predictions", payload: { input: { text: "q" } } })).json().id);
    const cp = h.engine.controlPlane;
    await cp.registerRunner({ runnerId: "runner-live", name: "test", hardware: ["cpu", "gpu-t4"], resources: { cpus: 2, memoryBytes: 1e9, gpus: [] }, maxInstances: 2 });
    const now = new Date().toISOString();
    await cp.heartbeat("runner-live", [
      { id: "inst-1", versionId: own, state: "ready", concurrency: 1, running: [], startedAt: now, readyAt: now, idleSince: now, failure: null },
    ]);
    const claimed = await cp.claim("runner-live", own);
    expect(claimed).not.toBeNull();
    await cp.report("runner-live", claimed!.predictionId, { type: "started" });
    await cp.report("runner-live", claimed!.predictionId, { type: "succeeded", output: "hello q" });

    const live = (await h.call({ method: "GET", url: "/v1/deployments/alice/live" })).json();
    expect(live.releases.map((r: { number: number }) => r.number)).toEqual([2, 1]);
    expect(live.releases[0].configuration.max_instances).toBe(3);
    expect(live.releases[0].created_by.username).toBe("alice");
    expect(live.queue_depth).toBe(1);
    expect(live.instances).toEqual([{ id: "inst-1", state: "ready", runner_id: "runner-live", running: 0, concurrency: 1, ready_at: now }]);
    expect(live.recent_latency).toMatchObject({ count: 1 });
    expect(live.recent_latency.p50).toBeGreaterThanOrEqual(0);
    // Lists keep the spec's shape only.
    const listed = (await h.call({ method: "GET", url: "/v1/deployments" })).json().results.find((d: { name: string }) => d.name === "live");
    expect(listed.releases).toBeUndefined();
  });

  it("answers 404 for an unknown deployment", async () => {
    const res = await h.call({ method: "POST", url: "/v1/deployments/alice/nope/predictions", payload: { input: { text: "hi" } } });
    expect(res.statusCode).toBe(404);
  });
});
