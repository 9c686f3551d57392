// Reports to the control plane with a few bounded retries: at scale it is an HTTP call that can blip, and a
// lost terminal report would leave the prediction running until its lease expires.
import { setTimeout as sleep } from "node:timers/promises";
import type { ControlPlane, Logger, PredictionEvent, Status } from "@ferry/core";

export interface PredictionReporter {
  /** Reports one event; null when every attempt failed (logged). */
  report(predictionId: string, event: PredictionEvent): Promise<{ applied: boolean; status: Status } | null>;
  /**
   * Returns a prediction that never started to the queue; with a reason it was a platform failure (the control
   * plane counts an attempt). Failures are logged (its lease will expire).
   */
  release(predictionId: string, reason?: string): Promise<void>;
}

const ATTEMPTS = 3;
const FIRST_RETRY_MS = 200;

export function createPredictionReporter(runnerId: string, controlPlane: ControlPlane, log: Logger): PredictionReporter {
  return {
    async report(predictionId, event) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await controlPlane.report(runnerId, predictionId, event);
        } catch (error) {
          if (attempt >= ATTEMPTS) {
            log.error({ prediction: predictionId, event: event.type, error: messageOf(error) }, "could not report a prediction event");
            return null;
          }
          await sleep(FIRST_RETRY_MS * 4 ** (attempt - 1));
        }
      }
    },
    async release(predictionId, reason) {
      await (reason === undefined ? controlPlane.release(runnerId, predictionId) : controlPlane.release(runnerId, predictionId, reason)).catch((error: unknown) => {
        log.error({ prediction: predictionId, error: messageOf(error) }, "could not release a prediction");
      });
    },
  };
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
