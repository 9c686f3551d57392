// Holds `Prefer: wait` requests open until the prediction is terminal, the wait runs out, the client goes
// away, or the server shuts down (which releases every waiting request at once).
import type { FastifyReply } from "fastify";
import type { Prediction } from "@ferry/core";
import type { Engine } from "@ferry/engine";

export interface SyncWaits {
  /** The prediction once terminal, or its latest state when the wait ends first. */
  wait(predictionId: string, seconds: number, reply: FastifyReply): Promise<Prediction>;
  /** Ends every wait now (graceful shutdown): each request answers with its current state. */
  releaseAll(): void;
}

export function createSyncWaits(engine: Engine): SyncWaits {
  const active = new Set<AbortController>();
  /** Set once shutdown began: a wait that starts after that returns at once instead of holding the close up. */
  let released = false;
  return {
    async wait(predictionId, seconds, reply) {
      const controller = new AbortController();
      if (released) controller.abort();
      const abort = (): void => controller.abort();
      active.add(controller);
      reply.raw.once("close", abort);
      try {
        return await engine.predictions.waitForTerminal(predictionId, seconds * 1000, controller.signal);
      } finally {
        active.delete(controller);
        reply.raw.off("close", abort);
      }
    },
    releaseAll() {
      released = true;
      for (const controller of active) controller.abort();
      active.clear();
    },
  };
}
