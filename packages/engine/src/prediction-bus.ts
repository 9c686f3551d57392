// The in-process prediction bus: waiting requests, SSE streams and the webhook sender listen here.
import type { Logger } from "@ferry/core";
import type { PredictionBus, PredictionUpdate } from "./engine-types.js";

type Listener = (update: PredictionUpdate) => void;

export function createPredictionBus(log: Logger): PredictionBus {
  const byId = new Map<string, Set<Listener>>();
  const everyone = new Set<Listener>();

  function deliver(listener: Listener, update: PredictionUpdate): void {
    try {
      listener(update);
    } catch (error) {
      log.error({ err: error, predictionId: update.prediction.id }, "prediction bus listener failed");
    }
  }

  return {
    publish(update) {
      const listeners = byId.get(update.prediction.id);
      if (listeners !== undefined) for (const listener of [...listeners]) deliver(listener, update);
      for (const listener of [...everyone]) deliver(listener, update);
    },
    subscribe(predictionId, listener) {
      let listeners = byId.get(predictionId);
      if (listeners === undefined) {
        listeners = new Set();
        byId.set(predictionId, listeners);
      }
      listeners.add(listener);
      return () => {
        const current = byId.get(predictionId);
        if (current === undefined) return;
        current.delete(listener);
        if (current.size === 0) byId.delete(predictionId);
      };
    },
    subscribeAll(listener) {
      everyone.add(listener);
      return () => void everyone.delete(listener);
    },
  };
}
