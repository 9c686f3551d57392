// Deployments: releases, validation, routing through the current release, the queue limit, fallbacks,
// deletion rules and the scaling policies, on a real SQLite store with a fake clock.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isFerryError, versionIdOf } from "@ferry/core";
import type { FerryError, Version } from "@ferry/core";
import { assembleEngine } from "../src/create-engine.js";
import type { CreateDeploymentRequest } from "../src/deployments.js";
import { STRING_OUTPUT, cogSchema, createEngineFixture } from "./support/engine-fixture.js";
import type { EngineFixture } from "./support/engine-fixture.js";

const HARDWARE = ["cpu", "gpu-t4", "gpu-h100"];
let fx: EngineFixture;
beforeEach(async () => {
  fx = await createEngineFixture({ hardware: HARDWARE, maxQueuePerDeployment: 2, deploymentDeleteIdleMs: 60_000 });
});
afterEach(async () => fx.close());

const request = (overrides: Partial<CreateDeploymentRequest> = {}): CreateDeploymentRequest => ({
  name: "greeter",
  model: "alice/hello",
  version: fx.version.id,
  hardware: "cpu",
  minInstances: 0,
  maxInstances: 2,
  ...overrides,
});

async function failure(promise: Promise<unknown>): Promise<FerryError> {
  try {
    await promise;
  } catch (error) {
    if (isFerryError(error)) return error;
    throw error;
  }
  throw new Error("expected a FerryError");
}

const predict = (name = "greeter", input: unknown = { prompt: "hi" }) =>
  fx.engine.predictions.create(fx.user, { target: { kind: "deployment", owner: "alice", name }, input });

describe("creating and updating", () => {
  it("creates release 1 owned by the caller, made by the caller", async () => {
    const { deployment, createdBy } = await fx.engine.deployments.create(fx.user, request({ hardware: "gpu-t4", minInstances: 1, maxInstances: 5 }));
    expect(deployment).toMatchObject({ owner: "alice", name: "greeter", accountId: fx.user.id });
    expect(deployment.currentRelease).toMatchObject({
      number: 1,
      model: "alice/hello",
      versionId: fx.version.id,
      configuration: { hardware: "gpu-t4", minInstances: 1, maxInstances: 5, maxQueue: null, fallback: null, retryCrashed: false },
    });
    expect(createdBy.id).toBe(fx.user.id);
  });

  it("makes every update a new release that changes only the fields given", async () => {
    await fx.engine.deployments.create(fx.user, request({ hardware: "gpu-t4", minInstances: 1, maxInstances: 5 }));
    fx.clock.advance(1_000);
    const second = await fx.engine.deployments.update(fx.user, "alice", "greeter", { maxInstances: 3 });
    expect(second.deployment.currentRelease).toMatchObject({
      number: 2,
      createdAt: fx.clock.iso(),
      configuration: { hardware: "gpu-t4", minInstances: 1, maxInstances: 3 },
    });
    const third = await fx.engine.deployments.update(fx.user, "alice", "greeter", { maxQueue: 9, retryCrashed: true });
    expect(third.deployment.currentRelease).toMatchObject({ number: 3, configuration: { maxInstances: 3, maxQueue: 9, retryCrashed: true } });
    expect(await fx.engine.deployments.retryCrashed("alice/greeter")).toBe(true);
    expect(await fx.engine.deployments.retryCrashed("alice/unknown")).toBe(false);
  });

  it("rejects an unknown SKU with a 400 that lists every valid one, and stores nothing", async () => {
    const error = await failure(fx.engine.deployments.create(fx.user, request({ hardware: "gpu-x9" })));
    expect(error.code).toBe("invalid_hardware");
    expect(error.status).toBe(400);
    expect(error.detail).toBe("The following errors occurred:\n- hardware: gpu-x9 is not a valid hardware SKU. Your options are: cpu, gpu-t4, gpu-h100");
    expect(error.extra["errors"]).toEqual([{ pointer: "/hardware", detail: expect.stringContaining("cpu, gpu-t4, gpu-h100") as unknown }]);
    expect((await fx.engine.deployments.list(fx.user, { cursor: null })).items).toEqual([]);
  });

  it("reports every invalid field at once: instances, queue, version of another model, name", async () => {
    const other = await fx.register({ name: "other" });
    const error = await failure(
      fx.engine.deployments.create(fx.user, request({ name: "Bad Name", minInstances: 6, maxQueue: 0, version: other.version.id })),
    );
    expect(error.code).toBe("validation_failed");
    expect(error.detail).toMatch(/- name: /);
    expect(error.detail).toMatch(/- min_instances: must be a whole number from 0 to 5/);
    expect(error.detail).toMatch(/- max_queue: /);
    expect(error.detail).toMatch(/- version: .* is not a version of alice\/hello/);
  });

  it("requires max_instances of at least max(min_instances, 1)", async () => {
    expect((await failure(fx.engine.deployments.create(fx.user, request({ minInstances: 0, maxInstances: 0 })))).detail).toMatch(
      /max_instances: must be a whole number from 1/,
    );
    expect((await failure(fx.engine.deployments.create(fx.user, request({ minInstances: 3, maxInstances: 2 })))).detail).toMatch(
      /max_instances: must be a whole number from 3/,
    );
  });

  it("refuses a second deployment of the same name, an empty update, and others' deployments", async () => {
    await fx.engine.deployments.create(fx.user, request());
    expect((await failure(fx.engine.deployments.create(fx.user, request()))).status).toBe(409);
    expect((await failure(fx.engine.deployments.update(fx.user, "alice", "greeter", {}))).status).toBe(400);
    expect((await failure(fx.engine.deployments.get(fx.other, "alice", "greeter"))).status).toBe(404);
    expect((await failure(fx.engine.deployments.update(fx.other, "alice", "greeter", { maxInstances: 4 }))).status).toBe(404);
    expect((await fx.engine.deployments.get(fx.user, "alice", "greeter")).deployment.currentRelease.number).toBe(1);
  });
});

describe("predictions through a deployment", () => {
  let next: Version;
  beforeEach(async () => {
    next = (await fx.register({ name: "hello" })).version;
    await fx.engine.deployments.create(fx.user, request({ maxQueue: 10 }));
  });

  it("are refused with model_unavailable, queueing nothing, when the deployed model cannot run on this server", async () => {
    await fx.engine.catalog.describe("alice", "hello", { tags: [], pricing: null, memoryMb: null, unavailableReason: "it needs sox, which is not installed" });
    const error = await failure(predict());
    expect(error.code).toBe("model_unavailable");
    expect(error.message).toContain("it needs sox");
    expect((await fx.store.predictions.queuedVersions()).length).toBe(0);
  });

  it("carry the deployment and run its current release; a release switch leaves running work on its version", async () => {
    const first = await predict();
    expect(first).toMatchObject({ deployment: "alice/greeter", versionId: fx.version.id, model: "alice/hello" });
    const claimed = await fx.engine.controlPlane.claim("runner-1", fx.version.id);
    await fx.engine.controlPlane.report("runner-1", claimed!.predictionId, { type: "started" });

    await fx.engine.deployments.update(fx.user, "alice", "greeter", { version: next.id });
    const second = await predict();
    expect(second.versionId).toBe(next.id);
    const running = await fx.store.predictions.get(first.id);
    expect(running).toMatchObject({ status: "processing", versionId: fx.version.id });
    expect(await fx.engine.controlPlane.claim("runner-1", fx.version.id)).toBeNull();
    expect((await fx.engine.controlPlane.claim("runner-1", next.id))?.predictionId).toBe(second.id);
  });

  it("validate input against the release's version", async () => {
    expect((await failure(predict("greeter", { nope: 1 }))).code).toBe("input_validation_failed");
  });

  it("answer 429 with a retry delay once the queue holds max_queue predictions, and take work again as it drains", async () => {
    await fx.engine.deployments.update(fx.user, "alice", "greeter", { maxQueue: 2 });
    await predict();
    await predict();
    const error = await failure(predict());
    expect(error).toMatchObject({ code: "queue_full", status: 429 });
    expect(error.extra["retry_after"]).toBe(5);
    const claimed = await fx.engine.controlPlane.claim("runner-1", fx.version.id);
    await fx.engine.controlPlane.report("runner-1", claimed!.predictionId, { type: "started" });
    expect((await predict()).deployment).toBe("alice/greeter");
  });

  it("use the server default queue length when the deployment sets none", async () => {
    await fx.engine.deployments.update(fx.user, "alice", "greeter", { maxQueue: null });
    await predict();
    await predict();
    expect((await failure(predict())).code).toBe("queue_full");
  });

  it("go to a fallback deployment when the queue is full, saying which one they came from", async () => {
    await fx.engine.deployments.create(fx.user, request({ name: "backup", version: next.id }));
    await fx.engine.deployments.update(fx.user, "alice", "greeter", { maxQueue: 1, fallback: "alice/backup" });
    await predict();
    const served = await predict();
    expect(served).toMatchObject({ deployment: "alice/backup", fallbackFrom: "alice/greeter", versionId: next.id });
    const read = await fx.engine.predictions.get(fx.user, served.id);
    expect(read).toMatchObject({ deployment: "alice/backup", fallbackFrom: "alice/greeter" });
  });

  it("answer 429 when the fallback's schema does not accept the input", async () => {
    const openapiSchema = cogSchema(STRING_OUTPUT, { type: "object", required: ["text"], properties: { text: { type: "string" } } });
    const strict = await fx.register({
      name: "strict",
      version: { id: versionIdOf("strict"), openapiSchema, runtime: { kind: "node", entry: "m.ts", concurrency: 1 }, cogVersion: null },
    });
    await fx.engine.deployments.update(fx.user, "alice", "greeter", { maxQueue: 1, fallback: strict.version.id });
    await predict();
    expect((await failure(predict())).code).toBe("queue_full");
    expect((await predict("greeter", { prompt: "p", text: "t" })).fallbackFrom).toBe("alice/greeter");
  });

  it("go to a fallback version while the release's version is unhealthy, only when the input fits it", async () => {
    const unhealthy = new Set<string>([fx.version.id]);
    const narrow = await fx.register({ name: "narrow" });
    const { engine } = assembleEngine({
      store: fx.store,
      clock: fx.clock,
      options: { hardware: HARDWARE },
      versionHealth: { isUnhealthy: (id) => unhealthy.has(id) },
    });
    await engine.deployments.update(fx.user, "alice", "greeter", { fallback: narrow.version.id });
    const served = await engine.predictions.create(fx.user, { target: { kind: "deployment", owner: "alice", name: "greeter" }, input: { prompt: "x" } });
    expect(served).toMatchObject({ versionId: narrow.version.id, fallbackFrom: "alice/greeter" });
    expect(served.deployment).toBeUndefined();
    unhealthy.clear();
    const back = await engine.predictions.create(fx.user, { target: { kind: "deployment", owner: "alice", name: "greeter" }, input: { prompt: "x" } });
    expect(back).toMatchObject({ versionId: fx.version.id, deployment: "alice/greeter" });
    expect(back.fallbackFrom).toBeUndefined();
    await engine.stop();
  });

  it("are refused for unknown deployments and other accounts' ones", async () => {
    expect((await failure(predict("missing"))).status).toBe(404);
    const error = await failure(fx.engine.predictions.create(fx.other, { target: { kind: "deployment", owner: "alice", name: "greeter" }, input: {} }));
    expect(error.status).toBe(404);
  });
});

describe("deleting", () => {
  it("refuses while online, while work is open or used recently, then deletes after the idle window", async () => {
    await fx.engine.deployments.create(fx.user, request({ minInstances: 1 }));
    expect((await failure(fx.engine.deployments.delete(fx.user, "alice", "greeter"))).detail).toMatch(/online/);
    await fx.engine.deployments.update(fx.user, "alice", "greeter", { minInstances: 0 });
    const p = await predict();
    expect((await failure(fx.engine.deployments.delete(fx.user, "alice", "greeter"))).detail).toMatch(/1 prediction/);
    await fx.engine.predictions.cancel(fx.user, p.id);
    expect((await failure(fx.engine.deployments.delete(fx.user, "alice", "greeter"))).code).toBe("deployment_in_use");
    fx.clock.advance(60_000);
    await fx.engine.deployments.delete(fx.user, "alice", "greeter");
    expect((await failure(fx.engine.deployments.get(fx.user, "alice", "greeter"))).status).toBe(404);
  });
});

describe("scaling policies", () => {
  it("sum min and max per version over the deployments whose current release runs it", async () => {
    const other = await fx.register({ name: "hello" });
    await fx.engine.deployments.create(fx.user, request({ name: "a", minInstances: 1, maxInstances: 2 }));
    await fx.engine.deployments.create(fx.user, request({ name: "b", minInstances: 2, maxInstances: 3, hardware: "gpu-t4" }));
    await fx.engine.deployments.create(fx.user, request({ name: "c", version: other.version.id, minInstances: 0, maxInstances: 1 }));
    const policies = await fx.engine.deployments.scalingPolicies();
    expect(policies).toHaveLength(2);
    expect(policies).toEqual(
      expect.arrayContaining([
        { versionId: fx.version.id, hardware: expect.any(String) as unknown, minInstances: 3, maxInstances: 5, deployments: ["alice/a", "alice/b"] },
        { versionId: other.version.id, hardware: "cpu", minInstances: 0, maxInstances: 1, deployments: ["alice/c"] },
      ]),
    );
    fx.clock.advance(1_000);
    await fx.engine.deployments.update(fx.user, "alice", "b", { version: other.version.id });
    const moved = await fx.engine.deployments.scalingPolicies();
    expect(moved.find((p) => p.versionId === other.version.id)).toMatchObject({ minInstances: 2, maxInstances: 4, hardware: "gpu-t4" });
  });
});
