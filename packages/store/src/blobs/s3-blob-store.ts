// The scale-out blob store: S3 or any S3-compatible object storage (MinIO, R2, Ceph…) through AWS SDK v3.
// Bodies of unknown length are buffered one part at a time: small ones go up in one PutObject, larger ones
// as a multipart upload that is aborted if the body fails, so a failed put never leaves a partial object.
// The SDK is loaded on first use: a server on local blobs never pays for it.
import type * as S3Sdk from "@aws-sdk/client-s3";
import type { BlobStore } from "@ferry/core";
import { assertBlobKey, chunksOf } from "./blob-key.js";

/** S3's smallest part size (except the last part). */
const MIN_PART_SIZE = 5 * 1024 * 1024;
const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
const DEFAULT_CONTENT_TYPE = "application/octet-stream";

export interface S3BlobStoreOptions {
  bucket: string;
  region: string;
  /** An S3-compatible endpoint (e.g. "http://127.0.0.1:9000"); null or absent for AWS itself. */
  endpoint?: string | null;
  /** Path-style addressing (`<endpoint>/<bucket>/<key>`), which most S3-compatible servers need. */
  forcePathStyle?: boolean;
  /** Explicit credentials; by default the AWS SDK's own chain (AWS_ACCESS_KEY_ID…, profiles, instance roles). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Bodies longer than this go up as a multipart upload in parts of this size. At least 5 MiB; default 8 MiB. */
  partSizeBytes?: number;
}

/** A BlobStore on one S3 bucket. Object keys are the blob keys, unchanged. */
export function createS3BlobStore(options: S3BlobStoreOptions): BlobStore {
  const { bucket } = options;
  const partSize = Math.max(options.partSizeBytes ?? DEFAULT_PART_SIZE, MIN_PART_SIZE);
  let loaded: Promise<{ sdk: typeof S3Sdk; client: S3Sdk.S3Client }> | null = null;
  const s3 = () =>
    (loaded ??= import("@aws-sdk/client-s3").then((sdk) => ({
      sdk,
      client: new sdk.S3Client({
        region: options.region,
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        forcePathStyle: options.forcePathStyle ?? false,
        ...(options.credentials ? { credentials: options.credentials } : {}),
        // Only the checksums S3 requires: the optional ones are not understood by every S3-compatible server.
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
      }),
    })));

  async function putMultipart(key: string, contentType: string, first: Uint8Array[], rest: AsyncIterator<Uint8Array>): Promise<number> {
    const { sdk, client } = await s3();
    const { UploadId } = await client.send(new sdk.CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType }));
    if (!UploadId) throw new Error("S3 did not return an upload id");
    try {
      const parts: { PartNumber: number; ETag: string }[] = [];
      let size = 0;
      const upload = async (body: Uint8Array) => {
        const PartNumber = parts.length + 1;
        const { ETag } = await client.send(new sdk.UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber, Body: body }));
        if (!ETag) throw new Error(`S3 did not return an ETag for part ${PartNumber}`);
        parts.push({ PartNumber, ETag });
        size += body.byteLength;
      };
      for (const part of first) await upload(part);
      for (let next = await rest.next(); !next.done; next = await rest.next()) await upload(next.value);
      await client.send(new sdk.CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
      return size;
    } catch (error) {
      await client.send(new sdk.AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId })).catch(() => undefined);
      throw error;
    }
  }

  return {
    async put(key, body, contentType) {
      assertBlobKey(key);
      const parts = inParts(chunksOf(body), partSize)[Symbol.asyncIterator]();
      const first = await parts.next();
      const second = first.done ? first : await parts.next();
      if (second.done) {
        const { sdk, client } = await s3();
        const bytes = first.done ? new Uint8Array(0) : first.value;
        await client.send(
          new sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentLength: bytes.byteLength, ContentType: contentType }),
        );
        return { size: bytes.byteLength };
      }
      return { size: await putMultipart(key, contentType, [first.value as Uint8Array, second.value], parts) };
    },

    async get(key) {
      assertBlobKey(key);
      const { sdk, client } = await s3();
      try {
        const object = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
        if (!object.Body) return null;
        return {
          // In Node the SDK's body is a Readable, which is an async iterable of Buffers.
          body: object.Body as unknown as AsyncIterable<Uint8Array>,
          size: Number(object.ContentLength ?? 0),
          contentType: object.ContentType ?? DEFAULT_CONTENT_TYPE,
        };
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },

    async delete(key) {
      assertBlobKey(key);
      const { sdk, client } = await s3();
      try {
        await client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: key }));
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    },
  };
}

/** Regroups a stream of chunks into parts of exactly `size` bytes (the last one shorter). */
async function* inParts(chunks: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  for await (const chunk of chunks) {
    pending.push(chunk);
    pendingBytes += chunk.byteLength;
    while (pendingBytes >= size) {
      const all = Buffer.concat(pending, pendingBytes);
      yield all.subarray(0, size);
      pending = [all.subarray(size)];
      pendingBytes -= size;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: unknown; $metadata?: { httpStatusCode?: unknown } };
  return e.name === "NoSuchKey" || e.name === "NotFound" || e.$metadata?.httpStatusCode === 404;
}
