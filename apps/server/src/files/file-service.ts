// The Files API's use cases (spec §2.9): stage an upload's bytes in the blob store while hashing them, record
// the file, read and delete an account's own files, open a signed download, and sweep expired files.
import { createHash } from "node:crypto";
import { FerryError, isoNow, newId, systemClock, verifyFileDownload } from "@ferry/core";
import type { Account, BlobStore, Clock, Logger, Slice, StoredFile, Store } from "@ferry/core";

/** Replicate's limit: uploads above 100 MiB get 413. */
export const DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024;
/** Uploads expire a day after they are made. */
export const UPLOAD_TTL_MS = 24 * 3600 * 1000;
const SWEEP_BATCH = 100;

export interface FileServiceDeps {
  store: Pick<Store, "files" | "accounts">;
  blobs: BlobStore;
  /** The key signed download links are made with (engine.signingKey). */
  signingKey: () => Promise<string>;
  clock?: Clock;
  log?: Logger;
  maxUploadBytes?: number;
}

/** Bytes of an upload already in the blob store, not yet recorded as a file. */
export interface StagedContent {
  id: string;
  blobKey: string;
  size: number;
  sha256: string;
  md5: string;
}

export interface UploadDetails {
  name: string;
  contentType: string;
  metadata: Record<string, unknown>;
}

/** What GET /v1/files/{id}/download carries: `?owner=&expiry=&signature=`. */
export interface DownloadQuery {
  id: string;
  owner: string;
  expiry: string;
  signature: string;
}

export interface FileService {
  readonly maxUploadBytes: number;
  /** Streams bytes into the blob store, hashing them on the way. Throws payload_too_large past the limit (nothing kept). */
  stage(body: AsyncIterable<Uint8Array>, contentType: string): Promise<StagedContent>;
  /** Removes staged bytes that will not become a file. */
  discard(staged: StagedContent): Promise<void>;
  /** Records staged bytes as one of the account's uploads, expiring in 24 h. */
  create(account: Account, staged: StagedContent, details: UploadDetails): Promise<StoredFile>;
  /** One of the account's uploads; not_found ("File not found") for others' files, unknown and expired ones. */
  get(account: Account, id: string): Promise<StoredFile>;
  /** The account's uploads, newest first. */
  list(account: Account, cursor: string | null, limit?: number): Promise<Slice<StoredFile>>;
  /** Deletes one of the account's uploads, bytes first; not_found as get. */
  delete(account: Account, id: string): Promise<void>;
  /** Checks a signed download link and opens the file's bytes; not_found for anything invalid, expired or gone. */
  openDownload(query: DownloadQuery): Promise<{ file: StoredFile; body: AsyncIterable<Uint8Array> }>;
  /** Deletes every file whose expiry passed (bytes, then row), in batches. Returns how many went. */
  sweepExpired(): Promise<number>;
}

/** The 413 text, in Replicate's words for the default limit ("Files must be less than 100MB in size"). */
export function uploadTooLargeDetail(maxBytes: number): string {
  const mib = 1024 * 1024;
  const limit = maxBytes % mib === 0 ? `${maxBytes / mib}MB` : maxBytes % 1024 === 0 ? `${maxBytes / 1024}KB` : `${maxBytes} bytes`;
  return `Files must be less than ${limit} in size`;
}

const notFound = () => new FerryError("not_found", "File not found");

export function createFileService(deps: FileServiceDeps): FileService {
  const { store, blobs, signingKey } = deps;
  const clock = deps.clock ?? systemClock;
  const maxUploadBytes = deps.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const expired = (file: StoredFile) => file.expiresAt !== null && file.expiresAt <= isoNow(clock);

  async function ownUpload(account: Account, id: string): Promise<StoredFile> {
    const file = await store.files.get(id);
    if (file === null || file.accountId !== account.id || file.kind !== "upload" || expired(file)) throw notFound();
    return file;
  }

  return {
    maxUploadBytes,

    async stage(body, contentType) {
      const id = newId();
      const blobKey = `uploads/${id}`;
      const sha256 = createHash("sha256");
      const md5 = createHash("md5");
      let size = 0;
      async function* hashed(): AsyncGenerator<Uint8Array> {
        for await (const chunk of body) {
          size += chunk.byteLength;
          if (size > maxUploadBytes) throw new FerryError("payload_too_large", uploadTooLargeDetail(maxUploadBytes));
          sha256.update(chunk);
          md5.update(chunk);
          yield chunk;
        }
      }
      await blobs.put(blobKey, hashed(), contentType);
      return { id, blobKey, size, sha256: sha256.digest("hex"), md5: md5.digest("hex") };
    },

    discard: (staged) => blobs.delete(staged.blobKey),

    async create(account, staged, details) {
      const now = clock.now();
      return store.files.create({
        id: staged.id,
        accountId: account.id,
        kind: "upload",
        predictionId: null,
        name: details.name,
        contentType: details.contentType,
        size: staged.size,
        sha256: staged.sha256,
        md5: staged.md5,
        metadata: details.metadata,
        blobKey: staged.blobKey,
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + UPLOAD_TTL_MS).toISOString(),
      });
    },

    get: ownUpload,

    async list(account, cursor, limit = 100) {
      const slice = await store.files.list(account.id, { cursor, limit });
      // Expired uploads the sweeper has not reached yet are already gone for the API.
      return { items: slice.items.filter((file) => !expired(file)), nextCursor: slice.nextCursor };
    },

    async delete(account, id) {
      const file = await ownUpload(account, id);
      await blobs.delete(file.blobKey);
      if (!(await store.files.delete(file.id))) throw notFound();
    },

    async openDownload(query) {
      if (!/^\d{1,12}$/.test(query.expiry)) throw notFound();
      const valid = verifyFileDownload(
        await signingKey(),
        { owner: query.owner, fileId: query.id, expiry: Number(query.expiry), signature: query.signature },
        Math.floor(clock.now().getTime() / 1000),
      );
      if (!valid) throw notFound();
      const file = await store.files.get(query.id);
      if (file === null || expired(file)) throw notFound();
      const owner = await store.accounts.findById(file.accountId);
      if (owner?.username !== query.owner) throw notFound();
      const blob = await blobs.get(file.blobKey);
      if (blob === null) throw notFound();
      return { file, body: blob.body };
    },

    async sweepExpired() {
      let removed = 0;
      for (;;) {
        const due = await store.files.findExpired(isoNow(clock), SWEEP_BATCH);
        for (const file of due) {
          // Bytes first: if that fails the row stays, and the next sweep tries again.
          try {
            await blobs.delete(file.blobKey);
            if (await store.files.delete(file.id)) removed += 1;
          } catch (error) {
            deps.log?.error({ err: error, fileId: file.id }, "could not delete an expired file");
            return removed;
          }
        }
        if (due.length < SWEEP_BATCH) return removed;
      }
    },
  };
}
