// Runs one async pass at a time. Wake-ups during a pass are coalesced into one more pass after it: a full
// pass (every version's pending work) when any caller asked for one, else a targeted pass for the versions named.
import type { Logger } from "@ferry/core";
import { messageOf } from "./prediction-reporter.js";

/**
 * What one pass is asked to do: a full look at pending work, or claims for these versions. Each version maps to
 * how many predictions were signalled for it, or null when it is not known (a freed slot): claim until none is left.
 */
export interface PassRequest {
  full: boolean;
  versions: ReadonlyMap<string, number | null>;
}

export interface WakeLoop {
  /** Asks for a full pass soon. Never runs two passes at once. */
  wake(): void;
  /**
   * Asks for a targeted pass for one version soon: `count` predictions were queued for it, or (null) an unknown
   * number may be waiting, as when one of its slots freed.
   */
  wakeFor(versionId: string, count: number | null): void;
  /** Resolves when no pass is running (after the current one and any it owes). */
  idle(): Promise<void>;
}

export function createWakeLoop(pass: (request: PassRequest) => Promise<void>, log: Logger): WakeLoop {
  let running: Promise<void> | null = null;
  let full = false;
  let versions = new Map<string, number | null>();

  async function drain(): Promise<void> {
    while (full || versions.size > 0) {
      const request: PassRequest = { full, versions };
      full = false;
      versions = new Map();
      try {
        await pass(request);
      } catch (error) {
        log.error({ error: messageOf(error) }, "runner pass failed");
      }
    }
    running = null;
  }

  const start = (): void => {
    running ??= drain();
  };

  return {
    wake() {
      full = true;
      start();
    },
    wakeFor(versionId, count) {
      const known = versions.get(versionId);
      versions.set(versionId, count === null || known === null ? null : count + (known ?? 0));
      start();
    },
    idle: () => running ?? Promise.resolve(),
  };
}
