// @ferry/store: the Store port (packages/core ports.ts) on SQLite and PostgreSQL through Kysely.
export { createStore } from "./create-store.js";
export { storeConfigFromUrl } from "./config.js";
export type { StoreConfig } from "./config.js";
export { createLocalBlobStore } from "./blobs/local-blob-store.js";
export { createS3BlobStore } from "./blobs/s3-blob-store.js";
export type { S3BlobStoreOptions } from "./blobs/s3-blob-store.js";
export { isBlobKey } from "./blobs/blob-key.js";
