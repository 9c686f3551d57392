// The embedded blob store: files in a local folder (<dataDir>/blobs by default). A put is written to a temporary
// file and renamed into place, so a reader sees the old bytes or the new ones, never half of a write.
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm, writeFile } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { BlobStore } from "@ferry/core";
import { assertBlobKey, chunksOf } from "./blob-key.js";

const DEFAULT_CONTENT_TYPE = "application/octet-stream";

/**
 * A BlobStore on the folder `root` (created on first write). Objects live under `root/objects/<key>`, their
 * content types under `root/types/<key>`, and writes in progress under `root/tmp`.
 */
export function createLocalBlobStore(root: string): BlobStore {
  const objectPath = (key: string) => join(root, "objects", key);
  const typePath = (key: string) => join(root, "types", key);
  const tmpDir = join(root, "tmp");

  /** A new temporary file, open for writing; the folder is made only when it is not there (a put is several file-system round trips, each counts). */
  async function openTemporary(path: string): Promise<FileHandle> {
    try {
      return await open(path, "wx");
    } catch (error) {
      if (!isMissing(error)) throw error;
      await mkdir(tmpDir, { recursive: true });
      return await open(path, "wx");
    }
  }

  return {
    async put(key, body, contentType) {
      assertBlobKey(key);
      const suffix = randomBytes(12).toString("hex");
      const tmpObject = join(tmpDir, `${suffix}.object`);
      const tmpType = join(tmpDir, `${suffix}.type`);
      let size = 0;
      try {
        const handle = await openTemporary(tmpObject);
        // The object, the type and the two folders they go to, all at once: only the renames keep their order.
        // Every one is waited for before a failure is thrown, so the cleanup below never races a write.
        const steps = await Promise.allSettled([
          pipeline(
            async function* () {
              for await (const chunk of chunksOf(body)) {
                size += chunk.byteLength;
                yield chunk;
              }
            },
            handle.createWriteStream(),
          ),
          writeFile(tmpType, contentType, { flag: "wx" }),
          mkdir(dirname(typePath(key)), { recursive: true }),
          mkdir(dirname(objectPath(key)), { recursive: true }),
        ]);
        const failed = steps.find((step) => step.status === "rejected");
        if (failed !== undefined) throw failed.reason;
        // The type first: a reader that finds the object finds its type.
        await rename(tmpType, typePath(key));
        await rename(tmpObject, objectPath(key));
      } catch (error) {
        await Promise.all([rm(tmpObject, { force: true }), rm(tmpType, { force: true })]);
        throw error;
      }
      return { size };
    },

    async get(key) {
      assertBlobKey(key);
      const handle = await open(objectPath(key), "r").catch((error: unknown) => {
        if (isMissing(error)) return null;
        throw error;
      });
      if (handle === null) return null;
      try {
        const { size } = await handle.stat();
        const contentType = await readFile(typePath(key), "utf8").catch(() => DEFAULT_CONTENT_TYPE);
        // The stream owns the handle from here and closes it when it ends, fails or is destroyed.
        return { body: handle.createReadStream(), size, contentType };
      } catch (error) {
        await handle.close();
        throw error;
      }
    },

    async delete(key) {
      assertBlobKey(key);
      await rm(objectPath(key), { force: true });
      await rm(typePath(key), { force: true });
    },
  };
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === "ENOENT" || code === "ENOTDIR";
}
