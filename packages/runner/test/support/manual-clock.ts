// A clock tests move by hand, so idle timeouts are crossed without sleeping through them.
import type { Clock } from "@ferry/core";

export interface ManualClock extends Clock {
  advance(ms: number): void;
}

export function createManualClock(start = Date.now()): ManualClock {
  let now = start;
  return {
    now: () => new Date(now),
    advance(ms) {
      now += ms;
    },
  };
}
