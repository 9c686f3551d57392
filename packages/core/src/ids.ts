// Identifier formats (spec/replicate-api.md §8.3). Randomness comes from node:crypto's CSPRNG, which
// exists in every runtime Ferry targets; core does no other I/O.
import { createHash, randomBytes } from "node:crypto";

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/** 16 random bytes as 26 lowercase RFC 4648 base32 characters, path-safe like Replicate's ids. */
export function newPredictionId(): string {
  return base32(randomBytes(16));
}

export function isPredictionId(value: string): boolean {
  return /^[a-z2-7]{26}$/.test(value);
}

/** A version id is the sha256 of the version's content, in lowercase hex. */
export function versionIdOf(content: string | Uint8Array): string {
  return createHash("sha256").update(content).digest("hex");
}

export function isVersionId(value: string): boolean {
  return /^[0-9a-f]{64}$/.test(value);
}

/** API tokens look like Replicate's: "r8_" and 37 more characters. */
export function newApiToken(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = randomBytes(37);
  let out = "r8_";
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

/** Tokens are stored as their sha256; a leaked database does not leak working tokens. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Generic opaque id (accounts, models, runners, instances): 26 base32 characters. */
export function newId(): string {
  return base32(randomBytes(16));
}

function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}
