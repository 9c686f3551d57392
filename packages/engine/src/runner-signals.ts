// Wake-ups for runners: new work was queued, or a prediction must stop. In-process fan-out.
import type { Logger, RunnerSignal } from "@ferry/core";

export interface RunnerSignals {
  emit(signal: RunnerSignal): void;
  subscribe(listener: (signal: RunnerSignal) => void): () => void;
}

export function createRunnerSignals(log: Logger): RunnerSignals {
  const listeners = new Set<(signal: RunnerSignal) => void>();
  return {
    emit(signal) {
      for (const listener of [...listeners]) {
        try {
          listener(signal);
        } catch (error) {
          log.error({ err: error, signal: signal.type }, "runner signal listener failed");
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
