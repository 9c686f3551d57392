// The autoscaler's arithmetic and placement, as a pure function: desired instances from work over concurrency
// clamped to min/max, the idle window, hardware matching, runner capacity and the preference for warm runners.
import { describe, expect, it } from "vitest";
import { desiredForWork, planInstances } from "../src/scheduler/scaling-plan.js";
import type { PlannedInstance, RunnerCapacity, VersionDemand } from "../src/scheduler/scaling-plan.js";

const NOW = 1_000_000;
const IDLE_MS = 60_000;

function version(versionId: string, overrides: Partial<VersionDemand> = {}): VersionDemand {
  return { versionId, hardware: "cpu", concurrency: 1, minInstances: 0, maxInstances: 4, queued: 0, running: 0, blocked: false, ...overrides };
}
function runner(runnerId: string, overrides: Partial<RunnerCapacity> = {}): RunnerCapacity {
  return { runnerId, hardware: ["cpu"], maxInstances: 4, instances: [], ...overrides };
}
const idleFor = (versionId: string, ms: number): PlannedInstance => ({ versionId, state: "ready", idleSince: NOW - ms });
const busy = (versionId: string): PlannedInstance => ({ versionId, state: "busy", idleSince: null });

function targets(versions: VersionDemand[], runners: RunnerCapacity[]): Record<string, Record<string, number>> {
  const plan = planInstances({ versions, runners, now: NOW, idleWindowMs: IDLE_MS });
  return Object.fromEntries([...plan.targets].map(([id, held]) => [id, Object.fromEntries([...held].filter(([, n]) => n > 0))]));
}

describe("desired instances for work", () => {
  it("is ceil((queued + running) / concurrency), clamped to min and max", () => {
    expect(desiredForWork({ queued: 0, running: 0, concurrency: 1, minInstances: 0, maxInstances: 4 })).toBe(0);
    expect(desiredForWork({ queued: 3, running: 0, concurrency: 2, minInstances: 0, maxInstances: 4 })).toBe(2);
    expect(desiredForWork({ queued: 2, running: 2, concurrency: 2, minInstances: 0, maxInstances: 4 })).toBe(2);
    expect(desiredForWork({ queued: 40, running: 0, concurrency: 1, minInstances: 0, maxInstances: 4 })).toBe(4);
    expect(desiredForWork({ queued: 0, running: 0, concurrency: 1, minInstances: 2, maxInstances: 4 })).toBe(2);
  });
});

describe("planInstances", () => {
  it("scales a version from zero with its queue, up to its max", () => {
    expect(targets([version("v", { queued: 3 })], [runner("r")])).toEqual({ r: { v: 3 } });
    expect(targets([version("v", { queued: 9, maxInstances: 2 })], [runner("r")])).toEqual({ r: { v: 2 } });
    expect(targets([version("v")], [runner("r")])).toEqual({ r: {} });
  });

  it("keeps a warm minimum without work, and none for a blocked (unhealthy) version", () => {
    expect(targets([version("v", { minInstances: 1 })], [runner("r")])).toEqual({ r: { v: 1 } });
    expect(targets([version("v", { minInstances: 1, queued: 5, blocked: true })], [runner("r")])).toEqual({ r: {} });
  });

  it("keeps instances used within the idle window, and lets them go after it", () => {
    const recent = runner("r", { instances: [idleFor("v", IDLE_MS - 1), idleFor("v", IDLE_MS - 1)] });
    expect(targets([version("v")], [recent])).toEqual({ r: { v: 2 } });
    const stale = runner("r", { instances: [idleFor("v", IDLE_MS - 1), idleFor("v", IDLE_MS)] });
    expect(targets([version("v")], [stale])).toEqual({ r: { v: 1 } });
    const gone = runner("r", { instances: [idleFor("v", IDLE_MS), idleFor("v", 5 * IDLE_MS)] });
    expect(targets([version("v")], [gone])).toEqual({ r: {} });
  });

  it("places instances only on runners with the version's hardware", () => {
    const plan = planInstances({
      versions: [version("gpu", { hardware: "gpu-t4", queued: 1 }), version("cpu", { queued: 1 })],
      runners: [runner("cpu-box"), runner("gpu-box", { hardware: ["gpu-t4"] })],
      now: NOW,
      idleWindowMs: IDLE_MS,
    });
    expect(plan.targets.get("gpu-box")).toEqual(new Map([["gpu", 1]]));
    expect(plan.targets.get("cpu-box")).toEqual(new Map([["cpu", 1]]));
    const none = planInstances({ versions: [version("h100", { hardware: "gpu-h100", queued: 2 })], runners: [runner("cpu-box")], now: NOW, idleWindowMs: IDLE_MS });
    expect(none.unplaced.get("h100")).toBe(2);
  });

  it("stays within each runner's capacity and spreads across runners", () => {
    expect(targets([version("v", { queued: 4 })], [runner("a", { maxInstances: 1 }), runner("b", { maxInstances: 2 })])).toEqual({
      a: { v: 1 },
      b: { v: 2 },
    });
    const plan = planInstances({
      versions: [version("x", { queued: 2 }), version("y", { queued: 1 })],
      runners: [runner("r", { maxInstances: 2 })],
      now: NOW,
      idleWindowMs: IDLE_MS,
    });
    expect([...plan.targets.get("r")!.values()].reduce((a, b) => a + b, 0)).toBe(2);
    expect(plan.unplaced.get("y")).toBe(1);
  });

  it("prefers runners already holding instances of the version", () => {
    const warm = runner("warm", { instances: [busy("v")] });
    expect(targets([version("v", { running: 1 })], [runner("cold"), warm])).toEqual({ cold: {}, warm: { v: 1 } });
  });

  it("keeps the slots of instances with running work before queued work of other versions", () => {
    const full = runner("r", { maxInstances: 1, instances: [busy("busy")] });
    const plan = planInstances({ versions: [version("queued", { queued: 1 }), version("busy", { running: 1 })], runners: [full], now: NOW, idleWindowMs: IDLE_MS });
    expect(plan.targets.get("r")).toEqual(new Map([["busy", 1]]));
    expect(plan.unplaced.get("queued")).toBe(1);
  });

  it("gives queued work a slot before warm minimums and idle instances of other versions", () => {
    const full = runner("r", { maxInstances: 1, instances: [idleFor("official", 1_000)] });
    expect(targets([version("official", { minInstances: 1 }), version("user", { queued: 1 })], [full])).toEqual({ r: { user: 1 } });
  });
});
