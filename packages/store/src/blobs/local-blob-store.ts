// The embedded blob store: files in a local folder (<dataDir>/blobs by default). A put is written to a temporary
// file and renamed into place, so a reader sees the old bytes or the new ones, never half of a write.
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, open, readFile, rename, rm, writeFile } from "node:fs/promises";
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

  async function moveInto(from: string, to: string): Promise<void> {
    await mkdir(dirname(to), { recursive: true });
    await rename(from, to);
  }

  return {
    async put(key, body, contentType) {
      assertBlobKey(key);
      await mkdir(tmpDir, { recursive: true });
      const suffix = randomBytes(12).toString("hex");
      const tmpObject = join(tmpDir, `${suffix}.object`);
      const tmpType = join(tmpDir, `${suffix}.type`);
      let size = 0;
      try {
        await pipeline(
          async function* () {
            for await (const chunk of chunksOf(body)) {
              size += chunk.byteLength;
              yield chunk;
            }
          },
          createWriteStream(tmpObject, { flags: "wx" }),
        );
        await writeFile(tmpType, contentType, { flag: "wx" });
        await moveInto(tmpType, typePath(key));
        await moveInto(tmpObject, objectPath(key));
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
