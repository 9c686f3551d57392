// Opaque keyset cursors: base64url of a small JSON array of the last row's sort keys.
import { FerryError } from "@ferry/core";

export function encodeCursor(keys: readonly (string | number | null)[]): string {
  return Buffer.from(JSON.stringify(keys), "utf8").toString("base64url");
}

/** Decodes a cursor made by encodeCursor with `shape` ("s" string, "n" number, "s?" string or null); throws bad_request otherwise. */
export function decodeCursor(cursor: string, shape: readonly ("s" | "n" | "s?")[]): (string | number | null)[] {
  let keys: unknown;
  try {
    keys = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(keys) || keys.length !== shape.length) throw invalid();
  shape.forEach((kind, i) => {
    const key: unknown = keys[i];
    const ok =
      kind === "n" ? typeof key === "number" && Number.isFinite(key) : typeof key === "string" || (kind === "s?" && key === null);
    if (!ok) throw invalid();
  });
  return keys as (string | number | null)[];
}

function invalid(): FerryError {
  return new FerryError("bad_request", "The cursor is invalid");
}
