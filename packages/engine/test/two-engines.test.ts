// Two engines (two API processes) on one database: concurrent creates and claims never run a prediction
// twice, and every prediction is run to the end exactly once.
import { afterEach, describe, expect, it } from "vitest";
import type { Engine } from "../src/index.js";
import { createEngine } from "../src/index.js";
import { createEngineFixture } from "./support/engine-fixture.js";
import type { EngineFixture, StoreKind } from "./support/engine-fixture.js";

let fx: EngineFixture | undefined;
afterEach(async () => fx?.close());

describe.each<StoreKind>(["sqlite", "postgres"])("two engines on one %s database", (kind) => {
  it("never hands one prediction to two runners under concurrent creates and claims", async () => {
    fx = await createEngineFixture({}, kind);
    const engineA = createEngine({ store: fx.store, clock: fx.clock });
    const engineB = createEngine({ store: await fx.secondStore(), clock: fx.clock });
    const TOTAL = 40;
    const created: string[] = [];
    let creating = true;

    const createAll = async () => {
      await Promise.all(
        Array.from({ length: TOTAL }, async (_, i) => {
          const engine = i % 2 === 0 ? engineA : engineB;
          const p = await engine.predictions.create(fx!.user, { target: { kind: "version", ref: fx!.version.id }, input: { prompt: `p${i}` } });
          created.push(p.id);
        }),
      );
      creating = false;
    };

    const claims: { runnerId: string; id: string }[] = [];
    const runner = async (engine: Engine, runnerId: string) => {
      for (;;) {
        const assignment = await engine.controlPlane.claim(runnerId, fx!.version.id);
        if (assignment === null) {
          if (!creating) return;
          await new Promise((resolve) => setTimeout(resolve, 1));
          continue;
        }
        claims.push({ runnerId, id: assignment.predictionId });
        const started = await engine.controlPlane.report(runnerId, assignment.predictionId, { type: "started" });
        expect(started).toEqual({ applied: true, status: "processing" });
        const done = await engine.controlPlane.report(runnerId, assignment.predictionId, { type: "succeeded", output: runnerId });
        expect(done).toEqual({ applied: true, status: "succeeded" });
      }
    };

    await Promise.all([
      createAll(),
      runner(engineA, "a-1"),
      runner(engineA, "a-2"),
      runner(engineB, "b-1"),
      runner(engineB, "b-2"),
    ]);

    expect(created).toHaveLength(TOTAL);
    const claimedIds = claims.map((c) => c.id);
    expect(new Set(claimedIds).size).toBe(claimedIds.length);
    expect([...claimedIds].sort()).toEqual([...created].sort());
    const byId = new Map(claims.map((c) => [c.id, c.runnerId]));
    for (const id of created) {
      const row = await fx.store.predictions.get(id);
      expect(row).toMatchObject({ status: "succeeded", output: byId.get(id) });
    }
    // Engine B's store writes its run counts behind, within a second (store run-counts.ts).
    await expect.poll(async () => (await fx!.store.models.get("alice", "hello"))?.runCount, { timeout: 5_000, interval: 50 }).toBe(TOTAL);
  });
});
