// Chooses the blob store from the configuration: a folder in the data dir, or an S3-compatible bucket.
import { join } from "node:path";
import type { BlobStore } from "@ferry/core";
import { createLocalBlobStore, createS3BlobStore } from "@ferry/store";
import type { Config } from "../config.js";

/** `<dataDir>/blobs` unless FERRY_S3_BUCKET is set; S3 credentials come from the AWS SDK's environment chain. */
export function blobStoreFromConfig(config: Pick<Config, "dataDir" | "s3">): { blobs: BlobStore; description: string } {
  if (config.s3 === null) {
    const root = join(config.dataDir, "blobs");
    return { blobs: createLocalBlobStore(root), description: root };
  }
  const { bucket, endpoint, region, forcePathStyle } = config.s3;
  return {
    blobs: createS3BlobStore({ bucket, endpoint, region, forcePathStyle }),
    description: `s3://${bucket}${endpoint === null ? "" : ` at ${endpoint}`}`,
  };
}
