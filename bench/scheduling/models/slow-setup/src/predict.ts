// bench/slow-setup: setup sleeps SETUP_MS; predict returns (as JSON text) when setup began and ended and when predict
// began, on the machine's clock, so the bench can subtract the model's own setup from a cold start.
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { defineModel } from "@ferry/sdk";

const SETUP_MS = 500;
const clock = (): number => performance.timeOrigin + performance.now();
const setup = { startedAt: 0, endedAt: 0 };

export default defineModel({
  input: z.object({ tag: z.string().default("cold").describe("Anything; makes each request distinct") }),
  output: z.string(),
  async setup() {
    setup.startedAt = clock();
    await sleep(SETUP_MS);
    setup.endedAt = clock();
  },
  predict() {
    return JSON.stringify({ setup_started_at: setup.startedAt, setup_ended_at: setup.endedAt, predict_at: clock() });
  },
});
