// The Files API as the official clients use it: multipart uploads (metadata as a file part, as the JS client
// sends it, or as a text field), 413 over the limit, get/list/delete of one's own files only, and the
// signed download that needs no token.
import { createHash, randomBytes } from "node:crypto";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fileDownloadUrl, signFileDownload } from "@ferry/core";
import { uploadTooLargeDetail } from "../src/files/file-service.js";
import { OTHER_TOKEN, PUBLIC_URL, startHarness } from "./support/harness.js";
import type { Harness } from "./support/harness.js";
import type { FileJSON } from "@ferry/core";

const PROBLEM_JSON = "application/problem+json; charset=utf-8";
const FILE_KEYS = ["id", "name", "content_type", "size", "etag", "checksums", "metadata", "created_at", "expires_at", "urls"];
const NOT_FOUND = { title: "Not found", detail: "File not found", status: 404 };
const LIMIT = 64 * 1024;


/** Serializes a FormData exactly as fetch (undici) puts it on the wire. */
async function encode(form: FormData): Promise<{ payload: Buffer; headers: Record<string, string> }> {
  const request = new Request("http://encoder.invalid/", { method: "POST", body: form });
  return { payload: Buffer.from(await request.arrayBuffer()), headers: { "content-type": request.headers.get("content-type")! } };
}

/** The form replicate 1.4.0's files.create(file, metadata) builds (lib/files.js). */
function clientForm(file: Blob | Buffer, metadata: Record<string, unknown> = {}): FormData {
  const form = new FormData();
  if (Buffer.isBuffer(file)) {
    const filename = `buffer_${Date.now()}`;
    form.append("content", new Blob([new Uint8Array(file)], { type: "application/octet-stream" }), filename);
  } else {
    form.append("content", file, (file as File).name || `blob_${Date.now()}`);
  }
  form.append("metadata", new Blob([JSON.stringify(metadata)], { type: "application/json" }));
  return form;
}

const hex = (algorithm: string, bytes: Uint8Array) => createHash(algorithm).update(bytes).digest("hex");

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ maxUploadBytes: LIMIT });
});
afterAll(() => h.close());

async function upload(form: FormData, token?: string) {
  const { payload, headers } = await encode(form);
  return h.call({ method: "POST", url: "/v1/files", payload, headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
}

async function uploaded(form: FormData, token?: string): Promise<FileJSON> {
  const res = await upload(form, token);
  expect(res.statusCode).toBe(201);
  return res.json<FileJSON>();
}

async function storedObjects(): Promise<string[]> {
  return readdir(join(h.dir, "blobs", "objects", "uploads")).catch(() => []);
}

describe("POST /v1/files", () => {
  it("stores a Buffer sent as the JS client sends it: 201 FileObject with checksums, etag = md5 and a 24 h expiry", async () => {
    const bytes = randomBytes(5_000);
    const res = await upload(clientForm(bytes));
    expect(res.statusCode).toBe(201);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    const file = res.json<FileJSON>();
    expect(Object.keys(file)).toEqual(FILE_KEYS);
    expect(file.id).toMatch(/^[a-z2-7]{26}$/);
    expect(file).toMatchObject({
      content_type: "application/octet-stream",
      size: 5_000,
      etag: hex("md5", bytes),
      checksums: { sha256: hex("sha256", bytes), md5: hex("md5", bytes) },
      metadata: {},
      urls: { get: `${PUBLIC_URL}/v1/files/${file.id}` },
    });
    expect(file.name).toMatch(/^buffer_\d+$/);
    expect(Object.keys(file.checksums)).toEqual(["sha256", "md5"]);
    expect(Date.parse(file.expires_at!) - Date.parse(file.created_at)).toBe(24 * 3600 * 1000);
    expect(file.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it("keeps a Blob's file name, content type and metadata", async () => {
    const file = await uploaded(clientForm(new File(["<svg/>"], "drawing.svg", { type: "image/svg+xml" }), { purpose: "test", n: [1, 2] }));
    expect(file).toMatchObject({ name: "drawing.svg", content_type: "image/svg+xml", size: 6, metadata: { purpose: "test", n: [1, 2] } });
  });

  it("accepts metadata as a text field, and `filename` and `type` fields over the content part's own", async () => {
    const form = new FormData();
    form.append("content", new Blob(["a,b\n1,2\n"], { type: "text/plain" }), "upload.bin");
    form.append("metadata", JSON.stringify({ source: "field" }));
    form.append("filename", "table.csv");
    form.append("type", "text/csv");
    const file = await uploaded(form);
    expect(file).toMatchObject({ name: "table.csv", content_type: "text/csv", size: 8, metadata: { source: "field" } });
  });

  it("ignores parts it does not know", async () => {
    const form = withParts([
      ["extra", new Blob([randomBytes(10_000)]), "extra.bin"],
      ["content", new Blob(["kept"], { type: "text/plain" }), "kept.txt"],
      ["note", "hello"],
    ]);
    expect(await uploaded(form)).toMatchObject({ name: "kept.txt", size: 4, metadata: {} });
  });

  it("stores an empty file", async () => {
    const file = await uploaded(clientForm(Buffer.alloc(0)));
    expect(file).toMatchObject({ size: 0, checksums: { sha256: hex("sha256", new Uint8Array(0)) } });
  });

  it("takes a file of exactly the limit, and answers 413 one byte over it, keeping nothing", async () => {
    expect((await upload(clientForm(randomBytes(LIMIT)))).statusCode).toBe(201);
    const before = await storedObjects();
    const res = await upload(clientForm(randomBytes(LIMIT + 1), { after: "the content" }));
    expect(res.statusCode).toBe(413);
    expect(res.statusMessage).toBe("Payload Too Large");
    expect(res.headers["content-type"]).toBe(PROBLEM_JSON);
    expect(res.body).toBe(JSON.stringify({ title: "Payload too large", detail: "Files must be less than 64KB in size", status: 413 }));
    expect(await storedObjects()).toEqual(before);
  });

  it("answers 413 at once when the declared body is far over the limit", async () => {
    const { payload, headers } = await encode(clientForm(randomBytes(LIMIT * 30)));
    const res = await h.call({ method: "POST", url: "/v1/files", payload, headers });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ detail: "Files must be less than 64KB in size" });
  });

  it("words the default limit as Replicate does", () => {
    expect(uploadTooLargeDetail(100 * 1024 * 1024)).toBe("Files must be less than 100MB in size");
  });

  it.each([
    ["no content part", () => withParts([["metadata", "{}"]]), "The `content` file part is required"],
    ["content as a text field", () => withParts([["content", "hello"]]), "The `content` file part is required"],
    ["metadata that is not JSON", () => withParts([["content", new Blob(["x"]), "x.txt"], ["metadata", "{nope"]]), "metadata must be a JSON object"],
    ["metadata that is an array", () => withParts([["content", new Blob(["x"]), "x.txt"], ["metadata", "[1]"]]), "metadata must be a JSON object"],
    ["a filename over 255 bytes", () => withParts([["content", new Blob(["x"]), "x.txt"], ["filename", "é".repeat(128)]]), "filename must be at most 255 bytes"],
    ["a type that is not a MIME type", () => withParts([["content", new Blob(["x"]), "x.txt"], ["type", "png"]]), "type must be a MIME type such as image/png"],
  ])("answers 400 for %s, keeping nothing", async (_case, form, detail) => {
    const before = await storedObjects();
    const res = await upload(form());
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ title: "Validation failed", detail, status: 400 });
    expect(await storedObjects()).toEqual(before);
  });

  it("answers 400 for a body that is not multipart", async () => {
    const res = await h.call({ method: "POST", url: "/v1/files", payload: { content: "hi" } });
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toContain("multipart/form-data");
  });

  it("answers 401 without a token and reads nothing", async () => {
    const { payload, headers } = await encode(clientForm(Buffer.from("secret")));
    const res = await h.app.inject({ method: "POST", url: "/v1/files", payload, headers });
    expect(res.statusCode).toBe(401);
  });
});

function withParts(parts: ([string, string] | [string, Blob, string])[]): FormData {
  const form = new FormData();
  for (const part of parts) {
    if (part.length === 3) form.append(part[0], part[1], part[2]);
    else form.append(part[0], part[1]);
  }
  return form;
}

describe("GET, list and DELETE /v1/files", () => {
  it("gets a file by id exactly as it was created", async () => {
    const created = await uploaded(clientForm(Buffer.from("get me"), { k: "v" }));
    const res = await h.call({ method: "GET", url: `/v1/files/${created.id}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(created);
  });

  it("answers 404 problem+json for an unknown file", async () => {
    const res = await h.call({ method: "GET", url: "/v1/files/aaaaaaaaaaaaaaaaaaaaaaaaaa" });
    expect(res.statusCode).toBe(404);
    expect(res.headers["content-type"]).toBe(PROBLEM_JSON);
    expect(res.json()).toEqual(NOT_FOUND);
  });

  it("hides one account's files from another: get, delete and list", async () => {
    const mine = await uploaded(clientForm(Buffer.from("alice's")));
    const theirs = await uploaded(clientForm(Buffer.from("bob's")), OTHER_TOKEN);
    const asBob = { authorization: `Bearer ${OTHER_TOKEN}` };
    for (const method of ["GET", "DELETE"] as const) {
      const res = await h.call({ method, url: `/v1/files/${mine.id}`, headers: asBob });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual(NOT_FOUND);
    }
    const bobs = (await h.call({ method: "GET", url: "/v1/files", headers: asBob })).json<{ results: FileJSON[] }>().results;
    expect(bobs.map((f) => f.id)).toEqual([theirs.id]);
    expect((await h.call({ method: "GET", url: `/v1/files/${mine.id}` })).statusCode).toBe(200);
  });

  it("lists the caller's files newest first, a page at a time with absolute next links", async () => {
    const fresh = await startHarness();
    try {
      const ids: string[] = [];
      for (let i = 0; i < 101; i++) {
        const { payload, headers } = await encode(clientForm(Buffer.from(`file ${i}`)));
        const res = await fresh.call({ method: "POST", url: "/v1/files", payload, headers });
        ids.push(res.json<FileJSON>().id);
      }
      const first = (await fresh.call({ method: "GET", url: "/v1/files" })).json<{ previous: null; next: string; results: FileJSON[] }>();
      expect(first.previous).toBeNull();
      expect(first.results).toHaveLength(100);
      expect(first.next).toMatch(new RegExp(`^${PUBLIC_URL}/v1/files\\?cursor=`));
      const second = (await fresh.call({ method: "GET", url: first.next.slice(PUBLIC_URL.length) })).json<{ next: null; results: FileJSON[] }>();
      expect(second.next).toBeNull();
      const listed = [...first.results, ...second.results];
      expect(new Set(listed.map((f) => f.id))).toEqual(new Set(ids));
      const times = listed.map((f) => f.created_at);
      expect(times).toEqual([...times].sort().reverse());
    } finally {
      await fresh.close();
    }
  });

  it("deletes a file with 204 and no body; afterwards it is 404 and its bytes are gone", async () => {
    const created = await uploaded(clientForm(Buffer.from("delete me")));
    const blobKey = (await h.store.files.get(created.id))!.blobKey;
    expect(await h.blobs.get(blobKey)).not.toBeNull();
    const res = await h.call({ method: "DELETE", url: `/v1/files/${created.id}` });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe("");
    expect((await h.call({ method: "GET", url: `/v1/files/${created.id}` })).statusCode).toBe(404);
    expect((await h.call({ method: "DELETE", url: `/v1/files/${created.id}` })).statusCode).toBe(404);
    expect(await h.blobs.get(blobKey)).toBeNull();
  });
});

describe("GET /v1/files/{id}/download", () => {
  const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

  async function signedPath(fileId: string, options: { owner?: string; expiry?: number } = {}): Promise<string> {
    const url = fileDownloadUrl(PUBLIC_URL, await h.engine.signingKey(), options.owner ?? "alice", fileId, options.expiry ?? inAnHour());
    return url.slice(PUBLIC_URL.length);
  }

  it("serves the bytes without a token, with type, length, disposition and a private cache policy", async () => {
    const bytes = randomBytes(20_000);
    const file = await uploaded(clientForm(new File([bytes], "photo.png", { type: "image/png" })));
    const res = await h.app.inject({ method: "GET", url: await signedPath(file.id) });
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.equals(bytes)).toBe(true);
    expect(res.headers).toMatchObject({
      "content-type": "image/png",
      "content-length": "20000",
      "content-disposition": `inline; filename="photo.png"; filename*=UTF-8''photo.png`,
      "cache-control": "private",
      etag: `"${file.etag}"`,
      "x-content-type-options": "nosniff",
    });
  });

  it("serves the same bytes at a link with the file's name in the path, whose name is not part of the signature", async () => {
    const bytes = randomBytes(1_000);
    const file = await uploaded(clientForm(new File([bytes], "photo.png", { type: "image/png" })));
    const [path, query] = (await signedPath(file.id)).split("?");
    for (const name of ["photo.png", "anything.webp"]) {
      const res = await h.app.inject({ method: "GET", url: `${path}/${name}?${query}` });
      expect(res.statusCode, name).toBe(200);
      expect(res.rawPayload.equals(bytes)).toBe(true);
      expect(res.headers["content-type"]).toBe("image/png");
    }
    expect((await h.app.inject({ method: "GET", url: `${path}/photo.png` })).statusCode).toBe(404);
  });

  it("names a file with non-ASCII characters safely", async () => {
    const form = withParts([["content", new Blob(["x"], { type: "text/plain" }), "x.txt"], ["filename", 'résumé "final".txt']]);
    const file = await uploaded(form);
    expect(file.name).toBe('résumé "final".txt');
    const res = await h.app.inject({ method: "GET", url: await signedPath(file.id) });
    expect(res.headers["content-disposition"]).toBe(
      `inline; filename="r_sum_ _final_.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.txt`,
    );
  });

  it("answers 404 for an expired, forged, altered or incomplete link", async () => {
    const file = await uploaded(clientForm(Buffer.from("guarded")));
    const other = await uploaded(clientForm(Buffer.from("other")));
    const key = await h.engine.signingKey();
    const expiry = inAnHour();
    const bad = [
      await signedPath(file.id, { expiry: Math.floor(Date.now() / 1000) - 1 }),
      `/v1/files/${file.id}/download?owner=alice&expiry=${expiry}&signature=${encodeURIComponent(signFileDownload("another-key", "alice", file.id, expiry))}`,
      `/v1/files/${file.id}/download?owner=alice&expiry=${expiry + 1}&signature=${encodeURIComponent(signFileDownload(key, "alice", file.id, expiry))}`,
      `/v1/files/${other.id}/download?owner=alice&expiry=${expiry}&signature=${encodeURIComponent(signFileDownload(key, "alice", file.id, expiry))}`,
      // Correctly signed, but bob does not own the file.
      await signedPath(file.id, { owner: "bob" }),
      `/v1/files/${file.id}/download?owner=alice&expiry=${expiry}`,
      `/v1/files/${file.id}/download`,
      `/v1/files/${file.id}/download?owner=alice&expiry=soon&signature=x`,
    ];
    for (const url of bad) {
      const res = await h.app.inject({ method: "GET", url });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers["content-type"]).toBe(PROBLEM_JSON);
      expect(res.json()).toEqual(NOT_FOUND);
    }
    expect((await h.app.inject({ method: "GET", url: await signedPath(file.id) })).statusCode).toBe(200);
  });

  it("stops serving a file once it is deleted", async () => {
    const file = await uploaded(clientForm(Buffer.from("short-lived")));
    const path = await signedPath(file.id);
    expect((await h.app.inject({ method: "GET", url: path })).statusCode).toBe(200);
    expect((await h.call({ method: "DELETE", url: `/v1/files/${file.id}` })).statusCode).toBe(204);
    expect((await h.app.inject({ method: "GET", url: path })).statusCode).toBe(404);
  });
});
