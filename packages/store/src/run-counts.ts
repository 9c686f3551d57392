// Run counts are written behind: a prediction adds one in memory, and the store writes the sum per model in one
// statement about once a second (and before any read of models, and on close), instead of one UPDATE per run.
import type { StoreContext } from "./context.js";

/** How long increments may wait in memory before they are written. */
export const RUN_COUNT_FLUSH_MS = 1_000;

export interface RunCounts {
  /** Counts one run of the model; written within RUN_COUNT_FLUSH_MS. */
  add(modelId: string): void;
  /** Writes every pending increment now. Rejects (keeping them pending) when the write fails. */
  flush(): Promise<void>;
}

export function createRunCounts({ db }: StoreContext, flushMs = RUN_COUNT_FLUSH_MS): RunCounts {
  let pending = new Map<string, number>();
  let timer: NodeJS.Timeout | null = null;
  let writing: Promise<void> | null = null;

  async function write(batch: Map<string, number>): Promise<void> {
    const entries = [...batch];
    try {
      for (const [modelId, n] of entries) {
        await db
          .updateTable("models")
          .set((eb) => ({ run_count: eb("run_count", "+", n) }))
          .where("id", "=", modelId)
          .execute();
        batch.delete(modelId);
      }
    } catch (error) {
      // What was not written goes back, to be written with the next batch.
      for (const [modelId, n] of batch) pending.set(modelId, (pending.get(modelId) ?? 0) + n);
      throw error;
    }
  }

  async function flush(): Promise<void> {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    // One write at a time, so a read that flushes waits for increments another flush has taken.
    while (writing !== null) await writing.catch(() => undefined);
    if (pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    writing = write(batch);
    try {
      await writing;
    } finally {
      writing = null;
    }
  }

  return {
    add(modelId) {
      pending.set(modelId, (pending.get(modelId) ?? 0) + 1);
      schedule();
    },
    flush,
  };

  function schedule(): void {
    if (timer !== null || pending.size === 0) return;
    timer = setTimeout(() => {
      timer = null;
      flush().catch(() => schedule());
    }, flushMs);
    timer.unref();
  }
}
