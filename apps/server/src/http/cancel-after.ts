// The `Cancel-After` request header: a duration after which a prediction is stopped (spec §2.1).
import { FerryError } from "@ferry/core";

export const MIN_CANCEL_AFTER_MS = 5_000;

const NUMBER = "(\\d+(?:\\.\\d+)?)";
const BARE_SECONDS = new RegExp(`^${NUMBER}$`);
const DURATION = new RegExp(`^(?:${NUMBER}h)?(?:${NUMBER}m(?!s))?(?:${NUMBER}s)?(?:${NUMBER}ms)?$`);
const UNIT_MS = [3_600_000, 60_000, 1_000, 1] as const;

/**
 * Parses `30`, `30s`, `5m`, `1h30m45s` (also `500ms` parts) into milliseconds; a bare number is seconds.
 * Returns null when the header is absent. Throws FerryError bad_request (400) for a malformed value or one
 * under the 5 s minimum.
 */
export function parseCancelAfter(header: string | undefined): number | null {
  if (header === undefined) return null;
  const value = header.trim();
  let ms: number | null = null;
  const bare = BARE_SECONDS.exec(value);
  if (bare) {
    ms = Number(bare[1]) * 1000;
  } else if (value.length > 0) {
    const parts = DURATION.exec(value);
    if (parts) {
      ms = 0;
      for (let i = 0; i < UNIT_MS.length; i++) {
        const part = parts[i + 1];
        if (part !== undefined) ms += Number(part) * UNIT_MS[i]!;
      }
    }
  }
  if (ms === null || !Number.isFinite(ms)) {
    throw new FerryError("bad_request", `Cancel-After must be a duration such as 30, 30s, 5m or 1h30m45s (got "${value.slice(0, 40)}")`);
  }
  if (ms < MIN_CANCEL_AFTER_MS) {
    throw new FerryError("bad_request", `Cancel-After must be at least 5 seconds (got "${value.slice(0, 40)}")`);
  }
  return Math.round(ms);
}
