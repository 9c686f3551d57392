// The create → claim → report path must not repeat lookups it already made: versions and models come from
// caches, validators are compiled once, and a report reuses the row the previous write returned.
import { afterEach, beforeEach, expect, it } from "vitest";
import type { Store } from "@ferry/core";
import { createEngine } from "../src/index.js";
import { createEngineFixture } from "./support/engine-fixture.js";
import type { EngineFixture } from "./support/engine-fixture.js";

let fx: EngineFixture;
beforeEach(async () => {
  fx = await createEngineFixture();
});
afterEach(async () => fx.close());

/** The real store, with every repository call counted by name. */
function counted(store: Store): { store: Store; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const wrap = <R extends object>(name: string, repo: R): R =>
    new Proxy(repo, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver) as unknown;
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          const label = `${name}.${String(key)}`;
          calls.set(label, (calls.get(label) ?? 0) + 1);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  return {
    calls,
    store: {
      ...store,
      accounts: wrap("accounts", store.accounts),
      models: wrap("models", store.models),
      versions: wrap("versions", store.versions),
      predictions: wrap("predictions", store.predictions),
    },
  };
}

it("runs a second sync prediction with only its own writes and no reads", async () => {
  const { store, calls } = counted(fx.store);
  const engine = createEngine({ store, clock: fx.clock });
  const runOne = async () => {
    const p = await engine.predictions.create(fx.user, { target: { kind: "version", ref: fx.version.id }, input: { prompt: "hi" } });
    const waiting = engine.predictions.waitForTerminal(p.id, 5_000);
    const assignment = await engine.controlPlane.claim("runner-1", fx.version.id);
    expect(assignment?.predictionId).toBe(p.id);
    await engine.controlPlane.report("runner-1", p.id, { type: "started" });
    await engine.controlPlane.report("runner-1", p.id, { type: "succeeded", output: "hello" });
    expect((await waiting).status).toBe("succeeded");
  };
  await runOne();
  calls.clear();
  await runOne();
  expect(Object.fromEntries(calls)).toEqual({
    "predictions.insert": 1,
    "models.incrementRunCount": 1,
    "predictions.claim": 1,
    "predictions.update": 2,
  });
});
