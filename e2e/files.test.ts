// The Files API through the official client (replicate 1.4.0), on SQLite and PostgreSQL: files.create with a
// Blob and a Buffer, get, list, delete, 413 over the configured limit, and a signed download fetched with no
// token at all; then the same round trip with the bytes in S3-compatible storage (a real s3rver process).
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type Replicate from "replicate";
import { fileDownloadUrl } from "@ferry/core";
import type { FileJSON } from "@ferry/core";
import { createS3BlobStore, createStore, storeConfigFromUrl } from "@ferry/store";
import { S3RVER_CREDENTIALS, startS3rver, type S3rverProcess } from "../packages/store/test/support/blob-store-factories.js";
import { DATABASE_KINDS } from "./support/databases.js";
import { clientFor } from "./support/client.js";
import { removeDataDir, startServer, type RunningServer } from "./support/server.js";
import { useServerOn } from "./support/server-on-database.js";

const MAX_UPLOAD_BYTES = 1024 * 1024;

/** The signed link the server hands out for a file: made with the key every API node shares (the settings table). */
async function signedDownloadUrl(server: RunningServer, databaseUrl: string | undefined, username: string, fileId: string): Promise<string> {
  const store = await createStore(storeConfigFromUrl(databaseUrl, server.dataDir));
  try {
    const key = await store.settings.getOrCreate("signing_key", () => randomBytes(32).toString("base64"));
    return fileDownloadUrl(server.baseUrl, key, username, fileId, Math.floor(Date.now() / 1000) + 600);
  } finally {
    await store.close();
  }
}

describe.each(DATABASE_KINDS)("files through the official client on %s", (kind) => {
  const booted = useServerOn(kind, { env: { FERRY_MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES) } });

  const downloadUrl = async (fileId: string) =>
    signedDownloadUrl(booted.server, booted.database.url, (await booted.replicate.accounts.current()).username, fileId);

  it("uploads a Blob with metadata, then gets, lists, downloads anonymously and deletes it", async () => {
    const bytes = randomBytes(200_000);
    const created = await booted.replicate.files.create(new File([bytes], "noise.png", { type: "image/png" }), { purpose: "e2e" });
    expect(created).toMatchObject({
      name: "noise.png",
      content_type: "image/png",
      size: bytes.length,
      metadata: { purpose: "e2e" },
      urls: { get: `${booted.server.apiUrl}/files/${created.id}` },
    });
    // replicate's FileObject type leaves out name, etag and md5; the server sends them (spec §3.6).
    const full = created as unknown as FileJSON;
    expect(full.etag).toMatch(/^[0-9a-f]{32}$/);
    expect(full.etag).toBe(full.checksums.md5);

    expect(await booted.replicate.files.get(created.id)).toEqual(created);
    const listed = await booted.replicate.files.list();
    expect(listed.results.map((f) => f.id)).toContain(created.id);

    // No Authorization header, no cookies: the link alone is the capability.
    const response = await fetch(await downloadUrl(created.id));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);

    expect(await booted.replicate.files.delete(created.id)).toBe(true);
    await expect(booted.replicate.files.get(created.id)).rejects.toMatchObject({ name: "ApiError", response: { status: 404 } });
    expect((await fetch(await downloadUrl(created.id))).status).toBe(404);
  });

  it("uploads a Buffer as application/octet-stream under a generated name, newest first in the list", async () => {
    const first = await booted.replicate.files.create(Buffer.from("first"));
    const second = await booted.replicate.files.create(Buffer.from("second"));
    expect(second).toMatchObject({ content_type: "application/octet-stream", size: 6, metadata: {} });
    expect((second as unknown as FileJSON).name).toMatch(/^buffer_\d+$/);
    const ids = (await booted.replicate.files.list()).results.map((f) => f.id);
    expect(ids.indexOf(second.id)).toBeLessThan(ids.indexOf(first.id));
  });

  it("refuses uploads over FERRY_MAX_UPLOAD_BYTES with 413, just over and far over the limit", async () => {
    for (const size of [MAX_UPLOAD_BYTES + 1, MAX_UPLOAD_BYTES * 8]) {
      const error = await booted.replicate.files.create(Buffer.alloc(size)).then(
        () => null,
        (e: unknown) => e as { name: string; message: string; response?: Response },
      );
      expect(error?.name, `size ${size}`).toBe("ApiError");
      expect(error?.response?.status).toBe(413);
      expect(error?.message).toContain('{"title":"Payload too large","detail":"Files must be less than 1MB in size","status":413}');
    }
    expect((await booted.replicate.files.create(Buffer.alloc(MAX_UPLOAD_BYTES))).size).toBe(MAX_UPLOAD_BYTES);
  });
});

describe("files kept in S3-compatible storage", () => {
  let s3: S3rverProcess;
  let server: RunningServer;
  let replicate: Replicate;

  beforeAll(async () => {
    s3 = await startS3rver("ferry-e2e");
    server = await startServer({
      env: {
        FERRY_S3_BUCKET: s3.bucket,
        FERRY_S3_ENDPOINT: s3.endpoint,
        AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      },
    });
    replicate = clientFor(server);
  });

  afterAll(async () => {
    await server?.stop();
    await s3?.stop();
    if (server) removeDataDir(server.dataDir);
  });

  it("stores the bytes in the bucket, serves them anonymously, and removes them on delete", async () => {
    const bytes = randomBytes(50_000);
    const created = await replicate.files.create(new File([bytes], "in-s3.bin", { type: "application/x-test" }));
    const bucket = createS3BlobStore({ bucket: s3.bucket, endpoint: s3.endpoint, region: "us-east-1", forcePathStyle: true, credentials: S3RVER_CREDENTIALS });
    expect((await bucket.get(`uploads/${created.id}`))?.size).toBe(bytes.length);

    const url = await signedDownloadUrl(server, undefined, (await replicate.accounts.current()).username, created.id);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/x-test");
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);

    expect(await replicate.files.delete(created.id)).toBe(true);
    expect(await bucket.get(`uploads/${created.id}`)).toBeNull();
  });
});
