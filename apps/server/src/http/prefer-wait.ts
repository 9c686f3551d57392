// Sync mode: the `Prefer: wait` / `Prefer: wait=N` request header (spec §2.2).

/** How long a create request may be held open, and what to echo in Preference-Applied. */
export interface WaitPreference {
  seconds: number;
  applied: string;
}

export const MAX_WAIT_SECONDS = 60;
const DIGITS = /^\d+$/;

/**
 * Finds the wait preference in a Prefer header. `wait` means 60 s; `wait=N` is clamped to 1..60 (the JS
 * client sends `wait=120` for `wait: 120`). A malformed value is ignored, as RFC 7240 asks of unknown preferences.
 */
export function parsePreferWait(header: string | undefined): WaitPreference | null {
  if (!header) return null;
  for (const preference of header.split(",")) {
    const semicolon = preference.indexOf(";");
    const token = (semicolon < 0 ? preference : preference.slice(0, semicolon)).trim().toLowerCase();
    if (token === "wait") return { seconds: MAX_WAIT_SECONDS, applied: "wait" };
    if (!token.startsWith("wait=")) continue;
    let value = token.slice(5).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (!DIGITS.test(value)) return null;
    const seconds = Math.min(MAX_WAIT_SECONDS, Math.max(1, Number(value)));
    return { seconds, applied: `wait=${seconds}` };
  }
  return null;
}
