// Deployments driven by the official client: create, get, list, update, delete, predictions through a
// deployment, a release switch while a prediction runs (it finishes on the old version, the next one takes the
// new), and 429 on a full queue.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type Replicate from "replicate";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "./support/databases.js";
import { removeDataDir, startServer, type RunningServer } from "./support/server.js";
import { clientFor, pollPrediction } from "./support/client.js";

/** The client types only the spec's fields; Ferry's extras (model on update, max_queue) go through as given. */
type UpdateOptions = Parameters<Replicate["deployments"]["update"]>[2];

async function latestVersion(replicate: Replicate, owner: string, name: string): Promise<string> {
  const model = await replicate.models.get(owner, name);
  const id = model.latest_version?.id;
  if (id === undefined) throw new Error(`${owner}/${name} has no version`);
  return id;
}

const finished = (p: { status: string }) => p.status === "succeeded" || p.status === "failed" || p.status === "canceled";

describe.each(DATABASE_KINDS)("deployments with the official client on %s", (kind) => {
  let database: TestDatabase | undefined;
  let server: RunningServer | undefined;
  let replicate: Replicate;
  let countVersion: string;
  let helloVersion: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    // One instance in all: a long prediction holds it, so later ones stay queued for the 429.
    server = await startServer({
      databaseUrl: database.url,
      env: { FERRY_DEPLOYMENT_DELETE_IDLE: "0", FERRY_MAX_INSTANCES: "1", FERRY_INSTANCE_IDLE_TIMEOUT: "0" },
    });
    replicate = clientFor(server);
    countVersion = await latestVersion(replicate, "ferry", "count");
    helloVersion = await latestVersion(replicate, "ferry", "hello-world");
  }, 120_000);

  afterAll(async () => {
    if (server) {
      await server.stop();
      removeDataDir(server.dataDir);
    }
    await database?.drop();
  });

  it("creates, reads, lists, updates and deletes a deployment", async () => {
    const created = await replicate.deployments.create({
      name: "counter",
      model: "ferry/count",
      version: countVersion,
      hardware: "cpu",
      min_instances: 0,
      max_instances: 2,
    });
    expect(created).toMatchObject({
      owner: "admin",
      name: "counter",
      current_release: { number: 1, model: "ferry/count", version: countVersion, configuration: { hardware: "cpu", min_instances: 0, max_instances: 2 } },
    });
    expect((await replicate.deployments.get("admin", "counter")).current_release.number).toBe(1);
    const page = await replicate.deployments.list();
    expect(page.results.map((d) => d.name)).toContain("counter");

    const updated = await replicate.deployments.update("admin", "counter", { max_instances: 3 });
    expect(updated.current_release).toMatchObject({ number: 2, configuration: { hardware: "cpu", min_instances: 0, max_instances: 3 } });

    const invalid = await replicate.deployments.update("admin", "counter", { hardware: "gpu-nope" }).catch((e: unknown) => e);
    expect(String(invalid)).toMatch(/status 400 Bad Request: .*gpu-nope is not a valid hardware SKU\. Your options are: cpu, gpu-t4/);

    expect(await replicate.deployments.delete("admin", "counter")).toBe(true);
    await expect(replicate.deployments.get("admin", "counter")).rejects.toThrow(/404/);
  });

  it("runs predictions through a deployment and drains a release switch", async () => {
    await replicate.deployments.create({
      name: "switcher",
      model: "ferry/count",
      version: countVersion,
      hardware: "cpu",
      min_instances: 0,
      max_instances: 1,
    });
    const running = await replicate.deployments.predictions.create("admin", "switcher", { input: { to: 15, delay_ms: 100 } });
    expect(running).toMatchObject({ deployment: "admin/switcher", model: "ferry/count", version: countVersion });
    await pollPrediction(replicate, running.id, (p) => p.status === "processing");

    // A new release on another model while the first prediction runs (Ferry lets `model` change with `version`).
    const switched = await replicate.deployments.update("admin", "switcher", {
      model: "ferry/hello-world",
      version: helloVersion,
    } as UpdateOptions);
    expect(switched.current_release).toMatchObject({ number: 2, model: "ferry/hello-world", version: helloVersion });

    const next = await replicate.deployments.predictions.create("admin", "switcher", { input: { text: "release 2" } });
    expect(next).toMatchObject({ deployment: "admin/switcher", model: "ferry/hello-world", version: helloVersion });

    const old = await replicate.wait(running, { interval: 100 });
    expect(old).toMatchObject({ status: "succeeded", version: countVersion, deployment: "admin/switcher" });
    expect(old.output).toHaveLength(15);
    const fresh = await pollPrediction(replicate, next.id, finished, 60_000);
    expect(fresh).toMatchObject({ status: "succeeded", output: "hello release 2", version: helloVersion });
  }, 90_000);

  it("answers 429 with Retry-After once the deployment's queue is full", async () => {
    await replicate.deployments.create({
      name: "narrow",
      model: "ferry/count",
      version: countVersion,
      hardware: "cpu",
      min_instances: 0,
      max_instances: 1,
      max_queue: 2,
    } as Parameters<Replicate["deployments"]["create"]>[0]);
    const holding = await replicate.deployments.predictions.create("admin", "narrow", { input: { to: 1000, delay_ms: 50 } });
    await pollPrediction(replicate, holding.id, (p) => p.status === "processing");
    const queued = [];
    for (let i = 0; i < 2; i++) queued.push(await replicate.deployments.predictions.create("admin", "narrow", { input: { to: 1, delay_ms: 0 } }));

    const refused = await replicate.deployments.predictions.create("admin", "narrow", { input: { to: 1, delay_ms: 0 } }).catch((e: unknown) => e);
    const response = (refused as { response?: Response }).response;
    expect(response?.status).toBe(429);
    expect(response?.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(String(refused)).toMatch(/queue of admin\/narrow is full/);

    // Draining the queue lets work in again.
    await replicate.predictions.cancel(holding.id);
    for (const p of queued) expect((await pollPrediction(replicate, p.id, finished, 60_000)).status).toBe("succeeded");
    const after = await replicate.deployments.predictions.create("admin", "narrow", { input: { to: 1, delay_ms: 0 } });
    expect((await pollPrediction(replicate, after.id, finished, 60_000)).status).toBe("succeeded");
  }, 90_000);
});
