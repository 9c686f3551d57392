// Contract: every BlobStore (a local folder, S3 through a real s3rver) keeps bytes and content types the same way.
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BlobStore } from "@ferry/core";
import { BLOB_STORE_FACTORIES } from "./support/blob-store-factories.js";

async function readAll(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function* chunksOf(bytes: Buffer, chunkSize: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += chunkSize) {
    await Promise.resolve();
    yield new Uint8Array(bytes.subarray(i, i + chunkSize));
  }
}

async function* failingAfter(bytes: Buffer): AsyncGenerator<Uint8Array> {
  yield bytes;
  throw new Error("the source broke");
}

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

describe.each(BLOB_STORE_FACTORIES)("blob store on $name", (factory) => {
  let blobs: BlobStore;
  beforeAll(async () => {
    await factory.setup();
    blobs = factory.create();
  }, 30_000);
  afterAll(() => factory.teardown());

  it("stores bytes and reads them back with their size and content type", async () => {
    const bytes = Buffer.from("hello, blob");
    expect(await blobs.put("uploads/one", new Uint8Array(bytes), "text/plain")).toEqual({ size: bytes.length });
    const got = await blobs.get("uploads/one");
    expect(got).toMatchObject({ size: bytes.length, contentType: "text/plain" });
    expect(await readAll(got!.body)).toEqual(bytes);
  });

  it("stores a streamed body and counts its bytes", async () => {
    const bytes = randomBytes(300_000);
    expect(await blobs.put("uploads/streamed", chunksOf(bytes, 7_000), "application/octet-stream")).toEqual({ size: bytes.length });
    const got = await blobs.get("uploads/streamed");
    expect(got?.size).toBe(bytes.length);
    expect(sha256(await readAll(got!.body))).toBe(sha256(bytes));
  });

  it("stores an empty body", async () => {
    expect(await blobs.put("uploads/empty", chunksOf(Buffer.alloc(0), 1), "application/json")).toEqual({ size: 0 });
    const got = await blobs.get("uploads/empty");
    expect(got).toMatchObject({ size: 0, contentType: "application/json" });
    expect((await readAll(got!.body)).length).toBe(0);
  });

  it("stores a body larger than one upload part, whole", { timeout: 60_000 }, async () => {
    const big = factory.create({ partSizeBytes: 5 * 1024 * 1024 });
    const bytes = randomBytes(12 * 1024 * 1024 + 123);
    expect(await big.put("outputs/p1/big.bin", chunksOf(bytes, 64 * 1024), "image/png")).toEqual({ size: bytes.length });
    const got = await big.get("outputs/p1/big.bin");
    expect(got).toMatchObject({ size: bytes.length, contentType: "image/png" });
    expect(sha256(await readAll(got!.body))).toBe(sha256(bytes));
  });

  it("overwrites a key with new bytes and a new content type", async () => {
    await blobs.put("uploads/twice", new Uint8Array(Buffer.from("first version")), "text/plain");
    await blobs.put("uploads/twice", new Uint8Array(Buffer.from("{}")), "application/json");
    const got = await blobs.get("uploads/twice");
    expect(got).toMatchObject({ size: 2, contentType: "application/json" });
    expect((await readAll(got!.body)).toString()).toBe("{}");
  });

  it("returns null for a key that was never stored", async () => {
    expect(await blobs.get("uploads/never")).toBeNull();
    expect(await blobs.get("nowhere/at/all")).toBeNull();
  });

  it("deletes a key, and deleting a missing key is not an error", async () => {
    await blobs.put("uploads/doomed", new Uint8Array([1, 2, 3]), "application/octet-stream");
    await blobs.delete("uploads/doomed");
    expect(await blobs.get("uploads/doomed")).toBeNull();
    await expect(blobs.delete("uploads/doomed")).resolves.toBeUndefined();
    await expect(blobs.delete("uploads/never-there")).resolves.toBeUndefined();
  });

  it("keeps the previous bytes when a put's body fails part way", async () => {
    await blobs.put("uploads/kept", new Uint8Array(Buffer.from("original")), "text/plain");
    await expect(blobs.put("uploads/kept", failingAfter(Buffer.from("partial")), "text/html")).rejects.toThrow("the source broke");
    const got = await blobs.get("uploads/kept");
    expect(got?.contentType).toBe("text/plain");
    expect((await readAll(got!.body)).toString()).toBe("original");
    await expect(blobs.put("uploads/never-made", failingAfter(Buffer.from("partial")), "text/plain")).rejects.toThrow();
    expect(await blobs.get("uploads/never-made")).toBeNull();
  });

  it("keeps nothing of a large put whose body fails after the first parts", { timeout: 60_000 }, async () => {
    const big = factory.create({ partSizeBytes: 5 * 1024 * 1024 });
    async function* breaksLate(): AsyncGenerator<Uint8Array> {
      yield* chunksOf(randomBytes(11 * 1024 * 1024), 1024 * 1024);
      throw new Error("the source broke late");
    }
    await expect(big.put("outputs/p2/broken.bin", breaksLate(), "image/png")).rejects.toThrow("the source broke late");
    expect(await big.get("outputs/p2/broken.bin")).toBeNull();
  });

  it.each(["", "/absolute", "../escape", "a/../../b", "a//b", ".hidden", "a/.hidden", "spaces are bad", "x".repeat(600)])(
    "rejects the key %j",
    async (key) => {
      await expect(blobs.put(key, new Uint8Array([1]), "text/plain")).rejects.toThrow("Invalid blob key");
      await expect(blobs.get(key)).rejects.toThrow("Invalid blob key");
      await expect(blobs.delete(key)).rejects.toThrow("Invalid blob key");
    },
  );
});
