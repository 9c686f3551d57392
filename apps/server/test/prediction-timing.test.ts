// queue_time and boot_time from a prediction's timeline: a warm start is all queue, a cold boot splits the wait.
import { describe, expect, it } from "vitest";
import { startTimings } from "../src/serializers/prediction-timing.js";

const T0 = Date.parse("2025-01-01T00:00:00.000Z");
const at = (ms: number) => new Date(T0 + ms).toISOString();

describe("startTimings", () => {
  it("is null until the prediction started", () => {
    expect(startTimings({ createdAt: at(0), startedAt: null, timeline: [{ phase: "queued", at: at(0) }] })).toBeNull();
  });

  it("counts a warm start's wait as queue time", () => {
    const timeline = [
      { phase: "queued" as const, at: at(0) },
      { phase: "running" as const, at: at(3) },
    ];
    expect(startTimings({ createdAt: at(0), startedAt: at(3), timeline })).toEqual({ queue_time: 0.003, boot_time: 0 });
  });

  it("splits a cold start into queue time and the boot of its instance", () => {
    const timeline = [
      { phase: "queued" as const, at: at(0) },
      { phase: "booting" as const, at: at(200), instance_id: "i1" },
      { phase: "setup" as const, at: at(700), instance_id: "i1" },
      { phase: "running" as const, at: at(1_500) },
    ];
    expect(startTimings({ createdAt: at(0), startedAt: at(1_500), timeline })).toEqual({ queue_time: 0.2, boot_time: 1.3 });
  });

  it("counts only the part of a boot that began before the prediction existed as nothing", () => {
    const timeline = [
      { phase: "booting" as const, at: at(-5_000) },
      { phase: "queued" as const, at: at(0) },
      { phase: "running" as const, at: at(1_000) },
    ];
    expect(startTimings({ createdAt: at(0), startedAt: at(1_000), timeline })).toEqual({ queue_time: 0, boot_time: 1 });
  });

  it("treats rows without a timeline as all queue", () => {
    expect(startTimings({ createdAt: at(0), startedAt: at(50) })).toEqual({ queue_time: 0.05, boot_time: 0 });
  });
});
