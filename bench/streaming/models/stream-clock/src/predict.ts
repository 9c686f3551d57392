// bench/stream-clock: yields the time at which it yields (performance.timeOrigin + now(), ms), so a reader in
// another process on the same machine can tell how long each token took to reach it.
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { defineModel, outputs } from "@ferry/sdk";

export default defineModel({
  input: z.object({
    count: z.number().int().min(1).max(100000).default(50).describe("How many tokens to yield"),
    delay_ms: z.number().int().min(0).max(60000).default(20).describe("Milliseconds to wait before each token"),
  }),
  output: outputs.iterator(z.string()),
  // Concurrent streams in the bench run side by side in one instance.
  concurrency: 16,
  async *predict(input, ctx) {
    for (let n = 0; n < input.count; n++) {
      if (input.delay_ms > 0) await sleep(input.delay_ms, undefined, { signal: ctx.signal });
      yield (performance.timeOrigin + performance.now()).toFixed(3);
    }
  },
});
