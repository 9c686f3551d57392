// ferry/count: streams "1", "2", … with a log line per step; the fixture for streaming, cancel, deadlines and failure.
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { defineModel, outputs } from "@ferry/sdk";

export default defineModel({
  input: z.object({
    to: z.number().int().min(1).max(10000).default(5).describe("Count up to this number"),
    delay_ms: z.number().int().min(0).max(60000).default(100).describe("Milliseconds to wait before each step"),
    fail_at: z.number().int().optional().describe("Raise an error on reaching this number"),
  }),
  output: outputs.iterator(z.string()),
  async *predict(input, ctx) {
    for (let n = 1; n <= input.to; n++) {
      // Abortable: a cancel rejects the sleep at once, which ends the prediction as canceled.
      if (input.delay_ms > 0) await sleep(input.delay_ms, undefined, { signal: ctx.signal });
      if (input.fail_at === n) throw new Error(`Reached fail_at=${n}`);
      ctx.log(`counted ${n}`);
      yield String(n);
    }
  },
});
