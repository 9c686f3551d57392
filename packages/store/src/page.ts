// Turns "limit + 1" rows into a Slice: the extra row only tells whether another page exists.
import type { Slice } from "@ferry/core";
import { encodeCursor } from "./cursor.js";

/** At least 1, at most 1000 rows per page. */
export function pageSize(limit: number): number {
  return Math.min(Math.max(Math.trunc(limit) || 1, 1), 1000);
}

export function toSlice<R, T>(
  rows: R[],
  limit: number,
  map: (row: R) => T,
  keysOf: (row: R) => (string | number | null)[],
): Slice<T> {
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  return { items: page.map(map), nextCursor: more && last !== undefined ? encodeCursor(keysOf(last)) : null };
}
