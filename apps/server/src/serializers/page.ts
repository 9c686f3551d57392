// Page<T>: {previous, next, results} with absolute URLs (spec §3.6, §7.5). Cursors only go forward.
import type { Page } from "@ferry/core";

export function serializePage<T>(results: T[], next: string | null): Page<T> {
  return { previous: null, next, results };
}
