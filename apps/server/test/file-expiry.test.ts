// Uploads expire 24 h after they are made: from then on the API treats them as gone, and the sweeper deletes
// their bytes and rows. Time is an injected clock; only the loop test waits (bounded) on a real timer.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fileDownloadQuery, silentLogger } from "@ferry/core";
import type { Account, BlobStore, Clock, Logger, Store } from "@ferry/core";
import { createLocalBlobStore, createStore } from "@ferry/store";
import { createFileExpirySweeper } from "../src/files/expiry-sweeper.js";
import { createFileService } from "../src/files/file-service.js";
import type { FileService } from "../src/files/file-service.js";

const DAY_MS = 24 * 3600 * 1000;
const KEY = "test-signing-key";

let dir: string;
let store: Store;
let blobs: BlobStore;
let files: FileService;
let alice: Account;
let now: number;
const clock: Clock = { now: () => new Date(now) };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "ferry-file-expiry-"));
  store = await createStore({ kind: "sqlite", path: join(dir, "ferry.db") });
  blobs = createLocalBlobStore(join(dir, "blobs"));
  now = Date.UTC(2025, 0, 1);
  files = createFileService({ store, blobs, clock, signingKey: () => Promise.resolve(KEY) });
  alice = await store.accounts.create({ id: "alice-id", username: "alice", name: "Alice", type: "user", githubUrl: null, avatarUrl: null });
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function anUpload(text: string) {
  const staged = await files.stage(
    (async function* () {
      yield Buffer.from(text);
    })(),
    "text/plain",
  );
  return files.create(alice, staged, { name: `${text}.txt`, contentType: "text/plain", metadata: {} });
}

const download = (id: string) => {
  const params = new URLSearchParams(fileDownloadQuery(KEY, "alice", id, Math.floor(now / 1000) + 3600));
  return files.openDownload({ id, owner: params.get("owner")!, expiry: params.get("expiry")!, signature: params.get("signature")! });
};

describe("upload expiry", () => {
  it("keeps an upload for 24 h, then hides it from get, list and download before the sweeper runs", async () => {
    const file = await anUpload("kept");
    expect(file.expiresAt).toBe(new Date(now + DAY_MS).toISOString());

    now += DAY_MS - 1;
    expect((await files.get(alice, file.id)).id).toBe(file.id);
    expect((await files.list(alice, null)).items).toHaveLength(1);
    await expect(download(file.id)).resolves.toMatchObject({ file: { id: file.id } });

    now += 1;
    await expect(files.get(alice, file.id)).rejects.toMatchObject({ status: 404, detail: "File not found" });
    expect((await files.list(alice, null)).items).toEqual([]);
    await expect(download(file.id)).rejects.toMatchObject({ status: 404 });
  });

  it("sweeps expired uploads, bytes and rows, and leaves the others alone", async () => {
    const start = now;
    const old = await anUpload("old");
    now = start + 3600_000;
    const younger = await anUpload("younger");

    now = start + DAY_MS - 1;
    expect(await files.sweepExpired()).toBe(0);
    now = start + DAY_MS;
    expect(await files.sweepExpired()).toBe(1);
    expect(await store.files.get(old.id)).toBeNull();
    expect(await blobs.get(old.blobKey)).toBeNull();
    expect(await store.files.get(younger.id)).not.toBeNull();
    expect(await blobs.get(younger.blobKey)).not.toBeNull();

    now = start + DAY_MS + 3600_000;
    expect(await files.sweepExpired()).toBe(1);
    expect(await store.files.get(younger.id)).toBeNull();
    expect(await files.sweepExpired()).toBe(0);
  });

  it("sweeps more expired files than one batch holds", async () => {
    const made = [];
    for (let i = 0; i < 230; i++) made.push(await anUpload(`f${i}`));
    now += DAY_MS;
    expect(await files.sweepExpired()).toBe(230);
    expect(await store.files.findExpired(clock.now().toISOString(), 1000)).toEqual([]);
    expect(await blobs.get(made[229]!.blobKey)).toBeNull();
  });

  it("keeps a file whose bytes could not be deleted, and deletes it on a later sweep", async () => {
    const file = await anUpload("stubborn");
    let failing = true;
    const flaky: BlobStore = {
      ...blobs,
      delete: (key) => (failing ? Promise.reject(new Error("storage is down")) : blobs.delete(key)),
    };
    const errors: object[] = [];
    const log: Logger = { ...silentLogger, error: (obj) => void errors.push(obj) };
    const service = createFileService({ store, blobs: flaky, clock, log, signingKey: () => Promise.resolve(KEY) });
    now += DAY_MS;
    expect(await service.sweepExpired()).toBe(0);
    expect(errors).toHaveLength(1);
    expect(await store.files.get(file.id)).not.toBeNull();
    failing = false;
    expect(await service.sweepExpired()).toBe(1);
    expect(await blobs.get(file.blobKey)).toBeNull();
  });

  it("runs sweeps on its own timer until stopped", async () => {
    const file = await anUpload("timed");
    now += DAY_MS;
    const sweeper = createFileExpirySweeper({ files, log: silentLogger, intervalMs: 10 });
    sweeper.start();
    try {
      const deadline = Date.now() + 5_000;
      while ((await store.files.get(file.id)) !== null) {
        if (Date.now() > deadline) throw new Error("the sweeper did not run within 5 s");
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      await sweeper.stop();
    }
    const late = await anUpload("after-stop");
    now += DAY_MS;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await store.files.get(late.id)).not.toBeNull();
  });
});
