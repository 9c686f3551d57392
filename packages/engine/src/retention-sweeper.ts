// The retention sweeper: empties the input, output and logs of ended API predictions whose data expired and
// deletes their output files (blob and row), a batch at a time, giving the event loop back between batches so
// the API never waits behind a long sweep. Running predictions are never touched (their expiry is unset, and
// the store refuses them anyway).
import { isoNow } from "@ferry/core";
import type { BlobStore, Clock, Logger, Store } from "@ferry/core";
import type { StreamHub } from "./stream-hub.js";

export interface RetentionSweeperDeps {
  store: Store;
  blobs?: BlobStore;
  clock: Clock;
  log: Logger;
  streams: StreamHub;
  /** Predictions per batch. */
  batchSize: number;
  /** Batches per sweep at most; the rest waits for the next sweep. */
  maxBatches: number;
}

export interface RetentionSweeper {
  /** One sweep now; resolves with how many predictions had their data removed. */
  sweep(): Promise<number>;
  /** Sweeps every `everyMs` (never two at once), logging failures instead of stopping. */
  start(everyMs: number): void;
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

export function createRetentionSweeper(deps: RetentionSweeperDeps): RetentionSweeper {
  const { store, blobs, clock, log, streams, batchSize, maxBatches } = deps;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;

  /** Deletes the output files of `ids`; returns the predictions whose files could not all be deleted. */
  async function deleteFiles(ids: string[]): Promise<Set<string>> {
    const failed = new Set<string>();
    if (store.files === undefined) return failed;
    for (const file of await store.files.findByPredictions(ids)) {
      try {
        await blobs?.delete(file.blobKey);
        await store.files.delete(file.id);
      } catch (error) {
        if (file.predictionId !== null) failed.add(file.predictionId);
        log.warn({ err: error, fileId: file.id, predictionId: file.predictionId }, "could not delete an expired output file; retrying later");
      }
    }
    return failed;
  }

  async function sweep(): Promise<number> {
    let removed = 0;
    for (let batch = 0; batch < maxBatches; batch += 1) {
      const due = await store.predictions.findDataExpired(isoNow(clock), batchSize);
      if (due.length === 0) break;
      const ids = due.map((p) => p.id);
      const failed = await deleteFiles(ids);
      // A prediction whose files are not all gone keeps its expiry, so the next sweep finds it again.
      const ready = ids.filter((id) => !failed.has(id));
      const changed = ready.length === 0 ? 0 : await store.predictions.removeData(ready);
      streams.forget(ready);
      removed += changed;
      if (due.length < batchSize || changed === 0) break;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (removed > 0) log.info({ count: removed }, "removed the data of expired predictions");
    return removed;
  }

  return {
    sweep,
    start(everyMs) {
      if (timer !== null) return;
      timer = setInterval(() => {
        if (running !== null) return;
        running = sweep()
          .catch((error: unknown) => log.error({ err: error }, "retention sweep failed"))
          .finally(() => (running = null));
      }, everyMs);
      timer.unref();
    },
    async stop() {
      if (timer !== null) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}
