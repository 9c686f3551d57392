// The loop that deletes expired files (uploads after 24 h): one sweep at a time, off the request path.
// Every API node may run it; deleting a file twice is harmless.
import type { Logger } from "@ferry/core";
import type { FileService } from "./file-service.js";

/** How often expired files are looked for by default. */
export const FILE_SWEEP_INTERVAL_MS = 60_000;

export interface FileExpirySweeper {
  /** Runs one sweep now (tests call it with an injected clock). Returns how many files went. */
  sweep(): Promise<number>;
  start(): void;
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

export function createFileExpirySweeper(deps: { files: FileService; log: Logger; intervalMs?: number }): FileExpirySweeper {
  const intervalMs = deps.intervalMs ?? FILE_SWEEP_INTERVAL_MS;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;
  let stopped = true;

  function sweep(): Promise<number> {
    running ??= deps.files
      .sweepExpired()
      .then((removed) => {
        if (removed > 0) deps.log.info({ removed }, "deleted expired files");
        return removed;
      })
      .finally(() => (running = null));
    return running;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      sweep()
        .catch((error: unknown) => deps.log.error({ err: error }, "file expiry sweep failed"))
        .finally(schedule);
    }, intervalMs);
    timer.unref();
  }

  return {
    sweep,
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      await running?.catch(() => undefined);
    },
  };
}
