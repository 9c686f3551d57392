// A clock tests move by hand, so leases and deadlines expire without sleeping.
import type { Clock } from "@ferry/core";

export interface FakeClock extends Clock {
  advance(ms: number): void;
  set(iso: string): void;
  iso(): string;
}

export function createFakeClock(start = "2025-01-01T00:00:00.000Z"): FakeClock {
  let current = Date.parse(start);
  return {
    now: () => new Date(current),
    advance(ms) {
      current += ms;
    },
    set(iso) {
      current = Date.parse(iso);
    },
    iso: () => new Date(current).toISOString(),
  };
}
