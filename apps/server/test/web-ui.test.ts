// The web UI's files: built assets cached for good, index.html for any page path, and the API's paths untouched.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { createEngine } from "@ferry/engine";
import { createLocalBlobStore, createStore } from "@ferry/store";
import type { Store } from "@ferry/core";
import { buildApp } from "../src/app.js";
import { createFileService } from "../src/files/file-service.js";

const INDEX = "<!doctype html><title>Ferry</title><div id=root></div>";
let dir: string;
let app: FastifyInstance;
let store: Store;
let stop: () => Promise<void>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ferry-web-ui-"));
  const root = join(dir, "dist");
  await mkdir(join(root, "assets"), { recursive: true });
  await writeFile(join(root, "index.html"), INDEX);
  await writeFile(join(root, "assets", "app-abc123.js"), "console.log(1)");
  store = await createStore({ kind: "sqlite", path: join(dir, "ferry.db") });
  const blobs = createLocalBlobStore(join(dir, "blobs"));
  const log = pino({ level: "silent" });
  const engine = createEngine({ store, blobs, publicUrl: "http://ferry.test", renderPrediction: () => "{}", log });
  const files = createFileService({ store, blobs, signingKey: () => engine.signingKey() });
  app = await buildApp({ engine, config: { publicUrl: "http://ferry.test" }, log, files, webUi: { root } });
  stop = async () => {
    await app.close();
    await engine.stop();
  };
});
afterAll(async () => {
  await stop();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe("web UI serving", () => {
  it.each(["/", "/p/abc123", "/ferry/hello-world", "/deployments/new"])("serves index.html at %s", async (url) => {
    const res = await app.inject({ method: "GET", url });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/html");
    expect(res.headers["cache-control"]).toBe("no-cache");
    expect(res.body).toBe(INDEX);
  });

  it("serves hashed assets with a long-lived cache", async () => {
    const res = await app.inject({ method: "GET", url: "/assets/app-abc123.js" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("javascript");
    expect(res.headers["cache-control"]).toContain("immutable");
  });

  it("answers 404 for a missing asset, not the page", async () => {
    const res = await app.inject({ method: "GET", url: "/assets/gone-123.js" });
    expect(res.statusCode).toBe(404);
  });

  it("does not serve files outside the build folder", async () => {
    const res = await app.inject({ method: "GET", url: "/assets/..%2f..%2fferry.db" });
    expect(res.statusCode).not.toBe(200);
  });

  it.each(["/v1/nothing-here", "/v1", "/auth/whatever", "/metrics-nope", "/health/x"])("leaves %s to the API's 404", async (url) => {
    const res = await app.inject({ method: "GET", url, headers: { authorization: "Bearer r8_x" } });
    expect(res.statusCode).toBe(404);
    expect(res.headers["content-type"]).toContain("application/problem+json");
  });

  it("still serves /health and answers API routes with JSON", async () => {
    expect((await app.inject({ method: "GET", url: "/health" })).json()).toEqual({ status: "ok" });
    const res = await app.inject({ method: "GET", url: "/v1/account" });
    expect(res.statusCode).toBe(401);
  });
});
