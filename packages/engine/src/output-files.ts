// Output files: the bytes an instance uploads through its runner go to the blob store as a StoredFile of kind
// "output", and the prediction's output carries a signed, token-free download link to them. The file goes with its
// prediction's data (the retention sweeper deletes it), so the link itself is made to outlive it.
import { createHash } from "node:crypto";
import { FerryError, fileDownloadUrl, isTerminal, newId } from "@ferry/core";
import type { BlobStore, Clock, ControlPlane, Store } from "@ferry/core";

/** Output links do not expire on their own: the file is deleted with its prediction's data, and the link 404s then. */
const OUTPUT_LINK_TTL_S = 100 * 365 * 24 * 3600;
const DEFAULT_CONTENT_TYPE = "application/octet-stream";
const MIME_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+(\s*;.*)?$/i;
const MAX_NAME_BYTES = 255;

export interface OutputFilesDeps {
  store: Store;
  clock: Clock;
  blobs: BlobStore | undefined;
  publicUrl: string | undefined;
  signingKey: () => Promise<string>;
}

/** ControlPlane.uploadOutput: only the runner holding a running prediction may add files to its output. */
export function createOutputFiles(deps: OutputFilesDeps): ControlPlane["uploadOutput"] {
  const { store, clock, blobs, publicUrl } = deps;

  return async (runnerId, predictionId, file) => {
    if (blobs === undefined || publicUrl === undefined) {
      throw new FerryError("unavailable", "Output files need a blob store and a public URL, and this engine has neither configured");
    }
    const prediction = await store.predictions.get(predictionId);
    if (prediction === null) throw new FerryError("not_found", `Prediction ${predictionId} not found`);
    if (prediction.leaseOwner !== runnerId || isTerminal(prediction.status)) {
      throw new FerryError("conflict", `Prediction ${predictionId} is not running on this runner, so it takes no output files`);
    }
    const owner = await store.accounts.findById(prediction.accountId);
    if (owner === null) throw new FerryError("not_found", `The account of prediction ${predictionId} no longer exists`);

    const id = newId();
    const name = fileName(file.name);
    const contentType = MIME_TYPE.test(file.contentType) ? file.contentType : DEFAULT_CONTENT_TYPE;
    const blobKey = `outputs/${predictionId}/${id}-${keySafe(name)}`;
    const sha256 = createHash("sha256");
    const md5 = createHash("md5");
    async function* hashed(): AsyncGenerator<Uint8Array> {
      for await (const chunk of file.body) {
        sha256.update(chunk);
        md5.update(chunk);
        yield chunk;
      }
    }
    const { size } = await blobs.put(blobKey, hashed(), contentType);
    try {
      await store.files.create({
        id,
        accountId: prediction.accountId,
        kind: "output",
        predictionId,
        name,
        contentType,
        size,
        sha256: sha256.digest("hex"),
        md5: md5.digest("hex"),
        metadata: {},
        blobKey,
        createdAt: clock.now().toISOString(),
        expiresAt: null,
      });
    } catch (error) {
      await blobs.delete(blobKey).catch(() => undefined);
      throw error;
    }
    const expiry = Math.floor(clock.now().getTime() / 1000) + OUTPUT_LINK_TTL_S;
    return { url: fileDownloadUrl(publicUrl, await deps.signingKey(), owner.username, id, expiry, name) };
  };
}

/** The name as given (what Content-Disposition shows), trimmed to a sane length; "output" when empty. */
function fileName(raw: string): string {
  let name = raw.replace(/[\p{Cc}/\\]/gu, "_").trim();
  while (Buffer.byteLength(name, "utf8") > MAX_NAME_BYTES) name = name.slice(0, -1);
  return name === "" ? "output" : name;
}

/** A blob-key segment from a file name: letters, digits, ".", "_" and "-" only, at most 100 of them. */
function keySafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 100) || "output";
}
