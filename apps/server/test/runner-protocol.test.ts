// The runner protocol over real HTTP on 127.0.0.1: the HTTP ControlPlane client drives a real runner against the
// API's routes, so everything a `ferry runner` does on another machine is exercised here, tokens included.
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, test } from "vitest";
import { pino } from "pino";
import { versionIdOf } from "@ferry/core";
import type { Account, RunnerSignal } from "@ferry/core";
import { createEngine } from "@ferry/engine";
import type { Engine } from "@ferry/engine";
import { createHttpControlPlane, createRunner } from "@ferry/runner";
import type { Runner } from "@ferry/runner";
import { loadModel, openapiSchema } from "@ferry/sdk";
import { createLocalBlobStore, createStore } from "@ferry/store";
import { buildApp } from "../src/app.js";
import { createFileService } from "../src/files/file-service.js";
import { HARDWARE } from "../src/hardware-catalog.js";

const RUNNER_TOKEN = "runner-token-0123456789abcdef";
const ECHO = fileURLToPath(new URL("../../../packages/runner/test/fixtures/echo.ts", import.meta.url));
const FILE_COPY = fileURLToPath(new URL("../../../packages/runner/test/fixtures/file-copy.ts", import.meta.url));
const RESOURCES = { cpus: 2, memoryBytes: 2 ** 32, gpus: [] };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Api {
  url: string;
  engine: Engine;
  user: Account;
  versionId: string;
  fileVersionId: string;
}

async function startApi(): Promise<Api> {
  const port = await closedPort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const dir = await mkdtemp(join(tmpdir(), "ferry-runner-protocol-"));
  const store = await createStore({ kind: "sqlite", path: join(dir, "ferry.db") });
  const blobs = createLocalBlobStore(join(dir, "blobs"));
  const log = pino({ level: "silent" });
  const engine = createEngine({ store, blobs, publicUrl, log, options: { hardware: HARDWARE.map((h) => h.sku) } });
  const { account: user } = await engine.accounts.bootstrap({ username: "tester", token: "r8_tester_token_0123456789" });
  const files = createFileService({ store, blobs, signingKey: () => engine.signingKey() });
  const app = await buildApp({ engine, config: { publicUrl }, log, files, runnerTokens: [RUNNER_TOKEN] });
  await engine.start();
  await app.listen({ host: "127.0.0.1", port });
  const runtime = { kind: "node" as const, entry: ECHO, concurrency: 2 };
  const { version } = await engine.models.register({
    owner: "tester",
    name: "echo",
    description: null,
    visibility: "private",
    isOfficial: false,
    hardware: "cpu",
    version: { id: versionIdOf(`echo:${JSON.stringify(runtime)}`), openapiSchema: openapiSchema(await loadModel(ECHO)), runtime, cogVersion: null },
  });
  cleanups.push(async () => {
    await app.close();
    await engine.stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  const copy = { kind: "node" as const, entry: FILE_COPY, concurrency: 1 };
  const { version: fileVersion } = await engine.models.register({
    owner: "tester",
    name: "file-copy",
    description: null,
    visibility: "private",
    isOfficial: false,
    hardware: "cpu",
    version: { id: versionIdOf(`copy:${JSON.stringify(copy)}`), openapiSchema: openapiSchema(await loadModel(FILE_COPY)), runtime: copy, cogVersion: null },
  });
  return { url: publicUrl, engine, user, versionId: version.id, fileVersionId: fileVersion.id };
}

async function startHttpRunner(api: Api, token = RUNNER_TOKEN): Promise<Runner> {
  const controlPlane = createHttpControlPlane({ apiUrl: api.url, token, firstRetryDelayMs: 20, maxRetryDelayMs: 100 });
  const runner = createRunner({ controlPlane, resources: RESOURCES, heartbeatIntervalMs: 200, pollIntervalMs: 500, cancelGraceMs: 1_000 });
  await runner.start();
  cleanups.push(async () => {
    await runner.stop();
    controlPlane.close();
  });
  return runner;
}

const post = (api: Api, path: string, body: unknown, token = RUNNER_TOKEN) =>
  fetch(`${api.url}/runner/v1${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("the runner protocol", () => {
  test("a runner over HTTP runs predictions with its timeline, and cancels reach it as signals", async () => {
    const api = await startApi();
    await startHttpRunner(api);
    const target = { kind: "version" as const, ref: api.versionId };

    const first = await api.engine.predictions.create(api.user, { target, input: { text: "over http" } });
    const done = await api.engine.predictions.waitForTerminal(first.id, 30_000);

    expect(done).toMatchObject({ status: "succeeded", output: "hello over http", logs: "echoing over http\n" });
    expect(done.timeline?.map((e) => e.phase)).toEqual(expect.arrayContaining(["queued", "booting", "setup", "running", "succeeded"]));

    const slow = await api.engine.predictions.create(api.user, { target, input: { text: "slow", delay_ms: 30_000 } });
    await waitUntil(async () => (await api.engine.predictions.get(api.user, slow.id)).status === "processing", 10_000);
    await api.engine.predictions.cancel(api.user, slow.id);
    expect((await api.engine.predictions.waitForTerminal(slow.id, 10_000)).status).toBe("canceled");
  });

  test("streams output files to the API, which answers with their download links", async () => {
    const api = await startApi();
    await startHttpRunner(api);
    const bytes = Buffer.from("ferry over http");

    const created = await api.engine.predictions.create(api.user, {
      target: { kind: "version", ref: api.fileVersionId },
      input: { file: `data:text/plain;base64,${bytes.toString("base64")}` },
    });
    const done = await api.engine.predictions.waitForTerminal(created.id, 30_000);

    expect(done.status).toBe("succeeded");
    expect(done.output).toMatch(new RegExp(`^${api.url}/v1/files/`));
    const download = await fetch(done.output as string);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
    expect(done.timeline?.map((e) => e.phase)).toContain("uploading_output");
  });

  test("answers 401 without a runner token, or with an account's token, and changes nothing", async () => {
    const api = await startApi();

    for (const token of ["", "wrong-token-0123456789abcdef", "r8_tester_token_0123456789"]) {
      const response = await post(api, "/register", { runnerId: "r1", name: "x", hardware: ["cpu"], resources: RESOURCES, maxInstances: 1 }, token);
      expect(response.status).toBe(401);
      expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    }
    const heartbeat = await post(api, "/runners/r1/heartbeat", { instances: [] });
    expect(await heartbeat.json()).toMatchObject({ known: false });
  });

  test("answers 400 with problem+json to a malformed body", async () => {
    const api = await startApi();

    const bad = await post(api, "/register", { runnerId: "r1", hardware: "cpu" });
    const event = await post(api, "/runners/r1/predictions/p1/events", { event: { type: "cancel_requested" } });

    expect(bad.status).toBe(400);
    expect(event.status).toBe(400);
    expect(((await event.json()) as { detail: string }).detail).toMatch(/event\/type/);
  });

  test("streams signals as server-sent events", async () => {
    const api = await startApi();
    const controlPlane = createHttpControlPlane({ apiUrl: api.url, token: RUNNER_TOKEN });
    const signals: RunnerSignal[] = [];
    const unsubscribe = controlPlane.subscribe((signal) => signals.push(signal));
    cleanups.push(async () => unsubscribe());

    // The stream is open once a queued prediction's signal arrives through it.
    await waitUntil(async () => {
      await api.engine.predictions.create(api.user, { target: { kind: "version", ref: api.versionId }, input: { text: "s" } });
      await new Promise((resolve) => setTimeout(resolve, 100));
      return signals.some((s) => s.type === "work_queued");
    }, 10_000);
    expect(signals.find((s) => s.type === "work_queued")).toEqual({ type: "work_queued", versionId: api.versionId });
  });

  test("a call to an API that is down fails after its bounded retries, with the reason", async () => {
    const port = await closedPort();
    const controlPlane = createHttpControlPlane({ apiUrl: `http://127.0.0.1:${port}`, token: RUNNER_TOKEN, firstRetryDelayMs: 10, maxRetryDelayMs: 20 });
    const started = Date.now();

    await expect(controlPlane.report("r1", "p1", { type: "started" })).rejects.toThrow(/could not be reached: .*ECONNREFUSED/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test("retries a 503 and reports once the API answers", async () => {
    let calls = 0;
    const server = createServer((_req, res) => {
      calls += 1;
      if (calls <= 2) res.writeHead(503).end();
      else res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ applied: true, status: "processing" }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const controlPlane = createHttpControlPlane({ apiUrl: `http://127.0.0.1:${port}`, token: RUNNER_TOKEN, firstRetryDelayMs: 10 });

    expect(await controlPlane.report("r1", "p1", { type: "started" })).toEqual({ applied: true, status: "processing" });
    expect(calls).toBe(3);
  });
});

/** A port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition did not hold within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
