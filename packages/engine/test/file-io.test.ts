// File inputs and outputs in the engine, on a real SQLite store and a real local blob store: Files-API URLs are
// checked at create (422 for files that are not the caller's) and signed at claim; uploadOutput stores the bytes
// as an output file of the prediction and answers with a signed link, only for the runner holding it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { newId, verifyFileDownload, versionIdOf } from "@ferry/core";
import type { Account, BlobStore, StoredFile, Store, Version } from "@ferry/core";
import { createLocalBlobStore } from "@ferry/store";
import { assembleEngine } from "../src/create-engine.js";
import type { Engine } from "../src/engine-types.js";
import { cogSchema, openTestStore, STRING_OUTPUT, TEXT_INPUT_SCHEMA } from "./support/engine-fixture.js";
import { createFakeClock } from "./support/fake-clock.js";

const PUBLIC = "http://ferry.test:8080";
const FILE_INPUTS = {
  ...TEXT_INPUT_SCHEMA,
  properties: {
    ...TEXT_INPUT_SCHEMA.properties,
    images: { type: "array", title: "Images", items: { type: "string", format: "uri" }, "x-order": 9 },
  },
};

let store: Store;
let cleanup: () => Promise<void>;
let blobDir: string;
let blobs: BlobStore;
let engine: Engine;
let alice: Account;
let bob: Account;
let version: Version;
const clock = createFakeClock();

beforeEach(async () => {
  ({ store, cleanup } = await openTestStore("sqlite"));
  blobDir = mkdtempSync(join(tmpdir(), "ferry-engine-blobs-"));
  blobs = createLocalBlobStore(blobDir);
  engine = assembleEngine({ store, clock, blobs, publicUrl: PUBLIC }).engine;
  alice = (await engine.accounts.bootstrap({ username: "alice" })).account;
  bob = await store.accounts.create({ id: newId(), username: "bob", name: "Bob", type: "user", githubUrl: null, avatarUrl: null });
  const openapiSchema = cogSchema(STRING_OUTPUT, FILE_INPUTS);
  ({ version } = await engine.models.register({
    owner: "alice",
    name: "echo",
    description: null,
    visibility: "public",
    isOfficial: false,
    hardware: "cpu",
    version: { id: versionIdOf(JSON.stringify(openapiSchema)), openapiSchema, runtime: { kind: "node", entry: "m.ts", concurrency: 1 }, cogVersion: null },
  }));
});
afterEach(async () => {
  await engine.stop();
  await store.close();
  await cleanup();
  rmSync(blobDir, { recursive: true, force: true });
});

async function upload(owner: Account, overrides: Partial<StoredFile> = {}): Promise<StoredFile> {
  const id = newId();
  await blobs.put(`uploads/${id}`, Buffer.from("input bytes"), "image/png");
  return store.files.create({
    id,
    accountId: owner.id,
    kind: "upload",
    predictionId: null,
    name: "in.png",
    contentType: "image/png",
    size: 11,
    sha256: "0".repeat(64),
    md5: "0".repeat(32),
    metadata: {},
    blobKey: `uploads/${id}`,
    createdAt: clock.now().toISOString(),
    expiresAt: new Date(clock.now().getTime() + 3_600_000).toISOString(),
    ...overrides,
  });
}

const create = (account: Account, input: Record<string, unknown>) =>
  engine.predictions.create(account, { target: { kind: "version", ref: version.id }, input: { prompt: "p", ...input } });

const signedParts = (url: string) => {
  const parsed = new URL(url);
  const query = Object.fromEntries(parsed.searchParams) as Record<string, string>;
  return { path: parsed.origin + parsed.pathname, owner: query["owner"] ?? "", expiry: Number(query["expiry"]), signature: query["signature"] ?? "" };
};

describe("Files-API URLs in file inputs", () => {
  it("accepts the caller's own upload, keeps the URL in the stored input and hands the runner a signed link", async () => {
    const file = await upload(alice);
    const url = `${PUBLIC}/v1/files/${file.id}`;
    const p = await create(alice, { image: url, images: [url, "https://example.com/a.png"] });
    expect(p.input).toMatchObject({ image: url, images: [url, "https://example.com/a.png"] });

    const assignment = await engine.controlPlane.claim("runner-1", version.id);
    const image = assignment?.input["image"] as string;
    const images = assignment?.input["images"] as string[];
    expect(images[1]).toBe("https://example.com/a.png");
    expect(images[0]).toBe(image);
    const signed = signedParts(image);
    expect(signed.path).toBe(`${PUBLIC}/v1/files/${file.id}/download`);
    expect(signed.owner).toBe("alice");
    const key = await engine.signingKey();
    const now = Math.floor(clock.now().getTime() / 1000);
    expect(verifyFileDownload(key, { owner: "alice", fileId: file.id, expiry: signed.expiry, signature: signed.signature }, now)).toBe(true);
    expect(signed.expiry - now).toBe(3_600);
    expect((await store.predictions.get(p.id))?.input["image"]).toBe(url);
  });

  it("tells runners which inputs of a version take files", async () => {
    await create(alice, {});
    const [work] = await engine.controlPlane.pendingWork();
    expect(work?.version.fileInputs).toEqual(["image", "images"]);
  });

  it("rejects another account's file, an unknown id and an expired upload with a 422 that queues nothing", async () => {
    const bobs = await upload(bob);
    const expired = await upload(alice, { expiresAt: clock.now().toISOString() });
    const cases = [
      { input: { image: `${PUBLIC}/v1/files/${bobs.id}` }, field: "image" },
      { input: { images: ["https://example.com/ok.png", `${PUBLIC}/v1/files/nosuchfile`] }, field: "images.1" },
      { input: { image: `${PUBLIC}/v1/files/${expired.id}` }, field: "image" },
    ];
    for (const { input, field } of cases) {
      const error = await create(alice, input).then(
        () => null,
        (e: unknown) => e as { code: string; status: number; extra: { invalid_fields: { field: string; type: string }[] } },
      );
      expect(error).toMatchObject({ code: "input_validation_failed", status: 422 });
      expect(error?.extra.invalid_fields).toEqual([expect.objectContaining({ field, type: "file" })]);
    }
    expect(await store.predictions.queuedVersions()).toEqual([]);
  });

  it("leaves a Files-API-looking URL alone in an input that is not a file", async () => {
    const p = await create(alice, { prompt: `${PUBLIC}/v1/files/nosuchfile` });
    const assignment = await engine.controlPlane.claim("runner-1", version.id);
    expect(assignment?.input["prompt"]).toBe(p.input["prompt"]);
  });
});

describe("uploadOutput", () => {
  async function running(): Promise<string> {
    const p = await create(alice, {});
    await engine.controlPlane.claim("runner-1", version.id);
    await engine.controlPlane.report("runner-1", p.id, { type: "started" });
    return p.id;
  }
  const body = async function* (...chunks: string[]) {
    for (const chunk of chunks) yield Buffer.from(chunk);
  };

  it("stores the bytes as an output file of the prediction and answers with a signed link", async () => {
    const id = await running();
    const { url } = await engine.controlPlane.uploadOutput("runner-1", id, { name: "out put.png", contentType: "image/png", body: body("hello ", "world") });
    const signed = signedParts(url);
    const [file] = await store.files.findByPredictions([id]);
    expect(file).toMatchObject({
      accountId: alice.id,
      kind: "output",
      predictionId: id,
      name: "out put.png",
      contentType: "image/png",
      size: 11,
      md5: "5eb63bbbe01eeed093cb22bb8f5acdc3",
      expiresAt: null,
    });
    expect(file?.blobKey).toMatch(new RegExp(`^outputs/${id}/[A-Za-z0-9]+-out_put\\.png$`));
    expect(signed).toMatchObject({ path: `${PUBLIC}/v1/files/${file?.id}/download/out%20put.png`, owner: "alice" });
    const key = await engine.signingKey();
    const query = { owner: "alice", fileId: file?.id ?? "", expiry: signed.expiry, signature: signed.signature };
    // Valid for as long as the file exists (retention deletes the file, not the link).
    expect(verifyFileDownload(key, query, Math.floor(clock.now().getTime() / 1000) + 50 * 365 * 24 * 3600)).toBe(true);
    const blob = await blobs.get(file?.blobKey ?? "");
    const bytes: Buffer[] = [];
    for await (const chunk of blob?.body ?? []) bytes.push(Buffer.from(chunk));
    expect(Buffer.concat(bytes).toString()).toBe("hello world");
    expect(blob?.contentType).toBe("image/png");
  });

  it("falls back to application/octet-stream for a content type that is not a MIME type", async () => {
    const id = await running();
    await engine.controlPlane.uploadOutput("runner-1", id, { name: "x", contentType: "not a type", body: body("x") });
    expect((await store.files.findByPredictions([id]))[0]?.contentType).toBe("application/octet-stream");
  });

  it("refuses a runner that does not hold the prediction, and a prediction that has ended", async () => {
    const id = await running();
    await expect(engine.controlPlane.uploadOutput("runner-2", id, { name: "x", contentType: "text/plain", body: body("x") })).rejects.toMatchObject({
      code: "conflict",
    });
    await engine.controlPlane.report("runner-1", id, { type: "succeeded", output: "done" });
    await expect(engine.controlPlane.uploadOutput("runner-1", id, { name: "x", contentType: "text/plain", body: body("x") })).rejects.toMatchObject({
      code: "conflict",
    });
    await expect(engine.controlPlane.uploadOutput("runner-1", "nosuch", { name: "x", contentType: "text/plain", body: body("x") })).rejects.toMatchObject({
      code: "not_found",
    });
    expect(await store.files.findByPredictions([id])).toEqual([]);
  });

  it("says clearly when the engine has no blob store", async () => {
    const bare = assembleEngine({ store, clock }).engine;
    const id = await running();
    await expect(bare.controlPlane.uploadOutput("runner-1", id, { name: "x", contentType: "text/plain", body: body("x") })).rejects.toMatchObject({
      code: "unavailable",
    });
  });
});
