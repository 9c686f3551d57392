// The throttle of output/logs webhooks on an injected clock and hand-fired timers: one message per window,
// the latest state wins, and a held update can be taken by the terminal write.
import { beforeEach, describe, expect, it } from "vitest";
import type { Prediction } from "@ferry/core";
import { createWebhookThrottle } from "../src/webhooks/throttle.js";
import type { Timers } from "../src/webhooks/throttle.js";
import type { ThrottledEvent } from "../src/webhooks/decide.js";
import { createFakeClock } from "./support/fake-clock.js";
import type { FakeClock } from "./support/fake-clock.js";

/** Timers that fire only when the test moves time with `advance`. */
function manualTimers(clock: FakeClock): Timers & { advance(ms: number): void; readonly count: number } {
  const due = new Map<number, { at: number; fire: () => void }>();
  let next = 0;
  return {
    set(ms, fire) {
      next += 1;
      due.set(next, { at: clock.now().getTime() + ms, fire });
      return next;
    },
    clear: (handle) => void due.delete(handle as number),
    advance(ms) {
      clock.advance(ms);
      for (const [handle, timer] of [...due].sort((a, b) => a[1].at - b[1].at)) {
        if (timer.at <= clock.now().getTime()) {
          due.delete(handle);
          timer.fire();
        }
      }
    },
    get count() {
      return due.size;
    },
  };
}

const row = (output: string[]): Prediction => ({ id: "p1", output }) as unknown as Prediction;

let clock: FakeClock;
let timers: ReturnType<typeof manualTimers>;
let sent: { output: unknown; event: ThrottledEvent; at: number }[];
let throttle: ReturnType<typeof createWebhookThrottle>;

beforeEach(() => {
  clock = createFakeClock();
  timers = manualTimers(clock);
  sent = [];
  throttle = createWebhookThrottle({
    clock,
    intervalMs: 500,
    timers,
    send: (r, event) => sent.push({ output: r.output, event, at: clock.now().getTime() - Date.parse("2025-01-01T00:00:00.000Z") }),
  });
});

describe("the output/logs throttle", () => {
  it("sends the first update at once", () => {
    throttle.offer(row(["1"]), "output");
    expect(sent).toEqual([{ output: ["1"], event: "output", at: 0 }]);
    expect(throttle.pending("p1")).toBeNull();
  });

  it("holds updates inside the window and sends only the latest when it ends", () => {
    throttle.offer(row(["1"]), "output");
    timers.advance(100);
    throttle.offer(row(["1", "2"]), "output");
    timers.advance(100);
    throttle.offer(row(["1", "2"]), "logs");
    throttle.offer(row(["1", "2", "3"]), "output");
    expect(sent).toHaveLength(1);
    expect(throttle.pending("p1")).toEqual({ row: row(["1", "2", "3"]), event: "output" });
    timers.advance(299);
    expect(sent).toHaveLength(1);
    timers.advance(1);
    expect(sent).toEqual([
      { output: ["1"], event: "output", at: 0 },
      { output: ["1", "2", "3"], event: "output", at: 500 },
    ]);
    expect(throttle.pending("p1")).toBeNull();
  });

  it("sends at most one message per window under a steady stream of updates", () => {
    for (let ms = 0; ms < 5_000; ms += 10) {
      throttle.offer(row([String(ms)]), "output");
      timers.advance(10);
    }
    expect(sent.length).toBeLessThanOrEqual(11);
    for (let i = 1; i < sent.length; i++) expect(sent[i]!.at - sent[i - 1]!.at).toBeGreaterThanOrEqual(500);
    // Nothing is lost at the end: the last window carries the last update.
    timers.advance(500);
    expect(sent.at(-1)?.output).toEqual(["4990"]);
  });

  it("sends at once again after a quiet window", () => {
    throttle.offer(row(["1"]), "output");
    timers.advance(600);
    throttle.offer(row(["1", "2"]), "logs");
    expect(sent.map((s) => s.at)).toEqual([0, 600]);
  });

  it("keeps predictions apart", () => {
    throttle.offer(row(["a"]), "output");
    throttle.offer({ id: "p2", output: ["b"] } as unknown as Prediction, "output");
    expect(sent).toHaveLength(2);
  });

  it("forgets a prediction when it ends: its held update is never sent by the timer", () => {
    throttle.offer(row(["1"]), "output");
    throttle.offer(row(["1", "2"]), "output");
    throttle.end("p1");
    expect(timers.count).toBe(0);
    timers.advance(1_000);
    expect(sent).toHaveLength(1);
    expect(throttle.pending("p1")).toBeNull();
  });

  it("drops every timer on stop", () => {
    throttle.offer(row(["1"]), "output");
    throttle.offer(row(["1", "2"]), "output");
    throttle.stop();
    expect(timers.count).toBe(0);
  });
});
