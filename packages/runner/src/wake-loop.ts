// Runs one async pass at a time: wake-ups during a pass are coalesced into exactly one more pass after it.
import type { Logger } from "@ferry/core";
import { messageOf } from "./prediction-reporter.js";

export interface WakeLoop {
  /** Asks for a pass soon. Never runs two passes at once. */
  wake(): void;
  /** Resolves when no pass is running (after the current one and any it owes). */
  idle(): Promise<void>;
}

export function createWakeLoop(pass: () => Promise<void>, log: Logger): WakeLoop {
  let running: Promise<void> | null = null;
  let again = false;

  async function drain(): Promise<void> {
    do {
      again = false;
      try {
        await pass();
      } catch (error) {
        log.error({ error: messageOf(error) }, "runner pass failed");
      }
    } while (again);
    running = null;
  }

  return {
    wake() {
      if (running !== null) {
        again = true;
        return;
      }
      running = drain();
    },
    idle: () => running ?? Promise.resolve(),
  };
}
