// StoredFile → FileObject (spec §3.6), keys in the documented order; etag is the md5 of the content.
import type { FileJSON, StoredFile } from "@ferry/core";
import type { PublicUrls } from "../http/public-urls.js";

/** The Files-API URL of a file (`urls.get`), which prediction inputs may also carry. */
export function fileUrl(urls: Pick<PublicUrls, "base">, id: string): string {
  return `${urls.base}/v1/files/${id}`;
}

export function serializeFile(file: StoredFile, urls: Pick<PublicUrls, "base">): FileJSON {
  return {
    id: file.id,
    name: file.name,
    content_type: file.contentType,
    size: file.size,
    etag: file.md5,
    checksums: { sha256: file.sha256, md5: file.md5 },
    metadata: file.metadata,
    created_at: file.createdAt,
    expires_at: file.expiresAt,
    urls: { get: fileUrl(urls, file.id) },
  };
}
