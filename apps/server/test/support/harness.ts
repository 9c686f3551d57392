// A real server for tests: SQLite store in a temp folder, the real engine, the Fastify app (inject()),
// and every log line pino writes, captured so tests can read what was (and was not) logged.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from "fastify";
import type { Account, BlobStore, Store } from "@ferry/core";
import { createEngine } from "@ferry/engine";
import type { Engine } from "@ferry/engine";
import { createLocalBlobStore, createStore } from "@ferry/store";
import { buildApp } from "../../src/app.js";
import type { ModelAssets } from "../../src/catalog/model-assets.js";
import { HARDWARE } from "../../src/hardware-catalog.js";
import { webhookBodyRenderer } from "../../src/serializers/webhook.js";
import { createFileService } from "../../src/files/file-service.js";
import type { FileService } from "../../src/files/file-service.js";

export const PUBLIC_URL = "https://ferry.test";
export const TOKEN = "r8_alice_token_0123456789abcdefghijklmnopq";
export const OTHER_TOKEN = "r8_bob_token_0123456789abcdefghijklmnopqrs";

export interface Harness {
  app: FastifyInstance;
  engine: Engine;
  store: Store;
  /** The blob store under `dir`, shared by the engine and the Files API. */
  blobs: BlobStore;
  files: FileService;
  account: Account;
  dir: string;
  /** Everything logged so far, one JSON line per entry. */
  logs(): string;
  /** inject() with alice's token unless `headers.authorization` is given. */
  call(options: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function startHarness(options: { maxUploadBytes?: number; modelAssets?: ModelAssets } = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), "ferry-server-test-"));
  const store = await createStore({ kind: "sqlite", path: join(dir, "ferry.db") });
  const lines: string[] = [];
  const log = pino({ level: "trace" }, { write: (line: string) => void lines.push(line) });
  const blobs = createLocalBlobStore(join(dir, "blobs"));
  const engine = createEngine({
    store,
    blobs,
    publicUrl: PUBLIC_URL,
    renderPrediction: webhookBodyRenderer(PUBLIC_URL),
    log: log.child({ component: "engine" }),
    options: { hardware: HARDWARE.map((h) => h.sku), maxQueuePerDeployment: 2, deploymentDeleteIdleMs: 0 },
  });
  const files = createFileService({ store, blobs, signingKey: () => engine.signingKey(), maxUploadBytes: options.maxUploadBytes });
  const { account } = await engine.accounts.bootstrap({ username: "alice", token: TOKEN });
  await engine.accounts.bootstrap({ username: "bob", token: OTHER_TOKEN });
  const app = await buildApp({ engine, config: { publicUrl: PUBLIC_URL }, log, files, modelAssets: options.modelAssets });
  return {
    app,
    engine,
    store,
    blobs,
    files,
    account,
    dir,
    logs: () => lines.join(""),
    call: (options) =>
      app.inject({ ...options, headers: { authorization: `Bearer ${TOKEN}`, ...(options.headers ?? {}) } }),
    async close() {
      await app.close();
      await engine.stop();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
