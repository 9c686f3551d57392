// Capability URLs: links readable without a token because they carry an HMAC made with the server's signing key.
// Stream URLs (spec §5.1), signed Files-API downloads (spec §2.9) and output file links (spec §6.2) use them.
import { createHmac, timingSafeEqual } from "node:crypto";

/** base64 HMAC-SHA256 of "{owner} {id} {expiry}", as Replicate signs `GET /v1/files/{id}/download`. */
export function signFileDownload(key: string, owner: string, fileId: string, expiryUnixSeconds: number): string {
  return createHmac("sha256", key).update(`${owner} ${fileId} ${expiryUnixSeconds}`).digest("base64");
}

export function verifyFileDownload(
  key: string,
  query: { owner: string; fileId: string; expiry: number; signature: string },
  nowUnixSeconds: number,
): boolean {
  if (!Number.isFinite(query.expiry) || query.expiry < nowUnixSeconds) return false;
  return safeEqual(signFileDownload(key, query.owner, query.fileId, query.expiry), query.signature);
}

/** The query string of a signed download link (URL-encoded). */
export function fileDownloadQuery(key: string, owner: string, fileId: string, expiryUnixSeconds: number): string {
  const signature = signFileDownload(key, owner, fileId, expiryUnixSeconds);
  return `owner=${encodeURIComponent(owner)}&expiry=${expiryUnixSeconds}&signature=${encodeURIComponent(signature)}`;
}

/**
 * The signed, token-free download link of a stored file (spec §2.9):
 * `<publicUrl>/v1/files/<id>/download?owner=…&expiry=…&signature=…`. `publicUrl` has no trailing slash.
 * With `name` (output files) the path ends in `/download/<name>`, so the link carries the file's extension as
 * Replicate's output URLs do (clients and browsers guess the type from it); the name is not part of the signature.
 */
export function fileDownloadUrl(publicUrl: string, key: string, owner: string, fileId: string, expiryUnixSeconds: number, name?: string): string {
  const suffix = name === undefined || name === "" ? "" : `/${encodeURIComponent(name)}`;
  return `${publicUrl}/v1/files/${fileId}/download${suffix}?${fileDownloadQuery(key, owner, fileId, expiryUnixSeconds)}`;
}

/** An unguessable, path-safe token naming one prediction's event stream: "<id>.<mac>". */
export function streamToken(key: string, predictionId: string): string {
  return `${predictionId}.${mac(key, `stream ${predictionId}`)}`;
}

/** The prediction id a stream token names, or null when the token was not made with this key. */
export function parseStreamToken(key: string, token: string): string | null {
  const dot = token.indexOf(".");
  if (dot <= 0) return null;
  const predictionId = token.slice(0, dot);
  return safeEqual(mac(key, `stream ${predictionId}`), token.slice(dot + 1)) ? predictionId : null;
}

function mac(key: string, text: string): string {
  return createHmac("sha256", key).update(text).digest("base64url").slice(0, 32);
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
