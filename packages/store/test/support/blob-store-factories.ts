// The blob stores the blob contract suite runs against: a local folder, and S3 through a real s3rver process
// listening on 127.0.0.1 (started once per suite, its data in a temp folder).
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BlobStore } from "@ferry/core";
import { createLocalBlobStore, createS3BlobStore } from "@ferry/store";

export interface BlobStoreFactory {
  name: "local" | "s3";
  /** Starts what the store needs (once per suite). */
  setup(): Promise<void>;
  /** A store with nothing in it. */
  create(options?: { partSizeBytes?: number }): BlobStore;
  teardown(): Promise<void>;
}

const S3RVER_BIN = join(createRequire(import.meta.url).resolve("s3rver/package.json"), "..", "bin", "s3rver.js");
/** s3rver's built-in account. */
export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
const START_TIMEOUT_MS = 20_000;

export interface S3rverProcess {
  endpoint: string;
  bucket: string;
  stop(): Promise<void>;
}

/** Starts s3rver on a free port of 127.0.0.1 with one bucket; resolves once it listens (bounded). */
export async function startS3rver(bucket = "ferry-test"): Promise<S3rverProcess> {
  const dir = mkdtempSync(join(tmpdir(), "ferry-s3rver-"));
  const child: ChildProcess = spawn(
    process.execPath,
    [S3RVER_BIN, "--directory", dir, "--address", "127.0.0.1", "--port", "0", "--silent", "--configure-bucket", bucket],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`s3rver did not start within ${START_TIMEOUT_MS} ms:\n${output}`)), START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on [^\s:]+:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited with ${code}:\n${output}`));
    });
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function localFactory(): BlobStoreFactory {
  const dirs: string[] = [];
  return {
    name: "local",
    setup: () => Promise.resolve(),
    create() {
      const dir = mkdtempSync(join(tmpdir(), "ferry-blobs-"));
      dirs.push(dir);
      return createLocalBlobStore(dir);
    },
    teardown() {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

function s3Factory(): BlobStoreFactory {
  let server: S3rverProcess | null = null;
  let stores = 0;
  return {
    name: "s3",
    async setup() {
      server = await startS3rver();
    },
    create(options = {}) {
      if (server === null) throw new Error("setup() first");
      // One bucket, a fresh key space per store: the contract tests never see each other's objects.
      const prefix = `store-${++stores}-${Date.now().toString(36)}`;
      return withPrefix(
        prefix,
        createS3BlobStore({
          bucket: server.bucket,
          region: "us-east-1",
          endpoint: server.endpoint,
          forcePathStyle: true,
          credentials: S3RVER_CREDENTIALS,
          ...options,
        }),
      );
    },
    async teardown() {
      await server?.stop();
      server = null;
    },
  };
}

/** The same store with every key under `prefix/`. */
function withPrefix(prefix: string, store: BlobStore): BlobStore {
  const at = (key: string) => (/^[A-Za-z0-9_-]/.test(key) ? `${prefix}/${key}` : key);
  return {
    put: (key, body, contentType) => store.put(at(key), body, contentType),
    get: (key) => store.get(at(key)),
    delete: (key) => store.delete(at(key)),
  };
}

export const BLOB_STORE_FACTORIES: BlobStoreFactory[] = [localFactory(), s3Factory()];
