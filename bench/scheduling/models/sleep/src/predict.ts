// bench/sleep: one prediction at a time per instance; sleeps `ms`, returns (as JSON text) when predict began on the
// machine's clock, so the bench can measure enqueue → start from the prediction's created_at.
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { defineModel } from "@ferry/sdk";

const clock = (): number => performance.timeOrigin + performance.now();

export default defineModel({
  input: z.object({ ms: z.number().int().min(0).max(60000).default(0).describe("Milliseconds to sleep") }),
  output: z.string(),
  async predict(input, ctx) {
    const began = clock();
    if (input.ms > 0) await sleep(input.ms, undefined, { signal: ctx.signal });
    return JSON.stringify({ predict_at: began });
  },
});
