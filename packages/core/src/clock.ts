// Time is injected everywhere (leases, deadlines, retention), so tests never sleep.
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** ISO-8601 UTC with a Z suffix and millisecond precision, as the API emits timestamps. */
export function isoNow(clock: Clock): string {
  return clock.now().toISOString();
}

/** Seconds between two ISO timestamps, rounded to microseconds. */
export function secondsBetween(from: string, to: string): number {
  return Math.round((Date.parse(to) - Date.parse(from)) * 1000) / 1_000_000;
}
