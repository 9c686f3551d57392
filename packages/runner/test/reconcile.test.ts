// The plan a runner makes from its instances and targets: boots up to a target within capacity, stops only
// instances without work, longest-idle first.
import { describe, expect, test } from "vitest";
import { reconcile } from "../src/reconcile.js";
import type { InstanceView, ReconcileInput } from "../src/reconcile.js";

const instance = (id: string, versionId: string, state: InstanceView["state"], extra: Partial<InstanceView> = {}): InstanceView => ({
  id,
  versionId,
  state,
  running: state === "busy" ? 1 : 0,
  idleSince: state === "ready" ? 1_000 : null,
  startedAt: 0,
  ...extra,
});

const plan = (input: Partial<ReconcileInput>) =>
  reconcile({ targets: new Map(), instances: [], pendingBoots: new Map(), maxInstances: 4, holdOff: () => false, ...input });

describe("reconcile", () => {
  test("boots up to each target, counting booting instances and boots under way", () => {
    expect(plan({ targets: new Map([["a", 3]]), instances: [instance("1", "a", "booting")], pendingBoots: new Map([["a", 1]]) })).toEqual({
      boot: ["a"],
      stop: [],
    });
  });

  test("boots no more than the capacity left, stopping instances included", () => {
    const instances = [instance("1", "b", "stopping"), instance("2", "c", "busy")];
    expect(plan({ targets: new Map([["a", 5], ["c", 1]]), instances, maxInstances: 3 }).boot).toEqual(["a"]);
  });

  test("stops the longest-idle instances above a target, then booting ones, never one with work", () => {
    const instances = [
      instance("busy", "a", "busy"),
      instance("recent", "a", "ready", { idleSince: 5_000 }),
      instance("old", "a", "ready", { idleSince: 1_000 }),
      instance("working", "a", "ready", { running: 1, idleSince: null }),
      instance("booting", "a", "booting", { startedAt: 9_000 }),
    ];
    expect(plan({ targets: new Map([["a", 2]]), instances }).stop).toEqual(["old", "recent", "booting"]);
    expect(plan({ targets: new Map([["a", 4]]), instances }).stop).toEqual(["old"]);
  });

  test("a version missing from the targets has a target of 0", () => {
    expect(plan({ instances: [instance("1", "a", "ready"), instance("2", "a", "busy")] })).toEqual({ boot: [], stop: ["1"] });
  });

  test("a version held off after a failed setup boots nothing", () => {
    expect(plan({ targets: new Map([["a", 1], ["b", 1]]), holdOff: (v) => v === "a" }).boot).toEqual(["b"]);
  });
});
