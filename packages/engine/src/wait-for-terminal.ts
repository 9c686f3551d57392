// Waits until a prediction is terminal, for `Prefer: wait` requests. Subscribes before reading so no
// update is lost between the read and the subscription; never rejects for a timeout.
import { FerryError, isTerminal } from "@ferry/core";
import type { Prediction, Store } from "@ferry/core";
import type { PredictionBus } from "./engine-types.js";
import type { PredictionWriter } from "./prediction-writer.js";

/**
 * How often the row is re-read while waiting: updates written by another API process do not reach this
 * process's bus, so a wait must still notice them.
 */
const POLL_MS = 1_000;

export function createWaitForTerminal(deps: { store: Store; bus: PredictionBus; writer: PredictionWriter }) {
  const { store, bus, writer } = deps;

  return function waitForTerminal(id: string, timeoutMs: number, signal?: AbortSignal): Promise<Prediction> {
    return new Promise<Prediction>((resolve, reject) => {
      let latest: Prediction | null = null;
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      let poll: NodeJS.Timeout | undefined;

      const cleanup = (): void => {
        settled = true;
        unsubscribe();
        clearTimeout(timer);
        clearInterval(poll);
        signal?.removeEventListener("abort", onAbort);
      };
      const finish = (prediction: Prediction): void => {
        if (settled) return;
        cleanup();
        resolve(prediction);
      };
      const failWith = (error: unknown): void => {
        if (settled) return;
        cleanup();
        reject(error instanceof Error ? error : new Error(String(error)));
      };
      const observe = (prediction: Prediction): void => {
        if (settled) return;
        latest = prediction;
        if (isTerminal(prediction.status)) finish(prediction);
      };
      /** Ends the wait with the freshest row there is (timeout or abort). */
      const finishWithLatest = (): void => {
        if (settled) return;
        store.predictions.get(id).then(
          (row) => (row !== null ? finish(row) : latest !== null ? finish(latest) : failWith(new FerryError("not_found"))),
          (error: unknown) => (latest !== null ? finish(latest) : failWith(error)),
        );
      };
      function onAbort(): void {
        finishWithLatest();
      }

      const unsubscribe = bus.subscribe(id, (update) => observe(update.prediction));
      // A non-terminal row this process wrote is current: a later local write reaches the bus, which is
      // already subscribed. Anything else is read.
      const cached = writer.cached(id);
      const initial = cached !== undefined ? Promise.resolve(cached) : store.predictions.get(id);
      initial.then(
        (row) => {
          if (settled) return;
          if (row === null) return failWith(new FerryError("not_found"));
          if (latest === null || isTerminal(row.status)) observe(row);
          if (settled) return;
          if (signal?.aborted === true) return finishWithLatest();
          signal?.addEventListener("abort", onAbort, { once: true });
          timer = setTimeout(finishWithLatest, Math.max(0, timeoutMs));
          timer.unref();
          poll = setInterval(() => {
            store.predictions.get(id).then((fresh) => {
              if (fresh !== null && isTerminal(fresh.status)) observe(fresh);
            }, () => {});
          }, POLL_MS);
          poll.unref();
        },
        (error: unknown) => failWith(error),
      );
    });
  };
}
