// Contract: a prediction's timeline and attempt number are stored with it, changed by status writes and by
// re-queueing releases, and absent on rows that never had them.
import { describe, expect, it } from "vitest";
import type { TimelineEntry } from "@ferry/core";
import { aPrediction, at, seedVersion } from "./support/fixtures.js";
import { STORE_FACTORIES } from "./support/store-factories.js";
import { useStore } from "./support/use-store.js";

const QUEUED: TimelineEntry = { phase: "queued", at: at(100), attempt: 1 };

describe.each(STORE_FACTORIES)("timeline and attempt on $name", (factory) => {
  const t = useStore(factory);

  it("stores the timeline and attempt given at insert and reads them back", async () => {
    const { account, version } = await seedVersion(t.store);
    const prediction = aPrediction(version, account.id, { timeline: [QUEUED], attempt: 1 });
    const inserted = await t.store.predictions.insert(prediction);
    expect(await t.store.predictions.get(prediction.id)).toEqual(inserted);
    expect(inserted).toMatchObject({ timeline: [QUEUED], attempt: 1 });
  });

  it("leaves both keys out of rows that never had them", async () => {
    const { account, version } = await seedVersion(t.store);
    const prediction = aPrediction(version, account.id);
    await t.store.predictions.insert(prediction);
    const read = await t.store.predictions.get(prediction.id);
    expect(read).not.toHaveProperty("timeline");
    expect(read).not.toHaveProperty("attempt");
  });

  it("replaces the timeline in a compare-and-set write and returns it with the row", async () => {
    const { account, version } = await seedVersion(t.store);
    const prediction = await t.store.predictions.insert(aPrediction(version, account.id, { timeline: [QUEUED], attempt: 1 }));
    const running: TimelineEntry = { phase: "running", at: at(101), instance_id: "inst-1", runner_id: "r-1", attempt: 1 };
    const updated = await t.store.predictions.update(prediction.id, "starting", {
      status: "processing",
      startedAt: at(101),
      timeline: [QUEUED, running],
    });
    expect(updated?.timeline).toEqual([QUEUED, running]);
    expect((await t.store.predictions.get(prediction.id))?.timeline).toEqual([QUEUED, running]);
  });

  it("hands the timeline to the runner that claims the prediction", async () => {
    const { account, version } = await seedVersion(t.store);
    await t.store.predictions.insert(aPrediction(version, account.id, { timeline: [QUEUED], attempt: 1 }));
    const claimed = await t.store.predictions.claim({ runnerId: "r-1", versionId: version.id, leaseUntil: at(130) });
    expect(claimed).toMatchObject({ timeline: [QUEUED], attempt: 1, leaseOwner: "r-1" });
  });

  it("writes a retry's timeline and attempt with the release, and only for the lease holder", async () => {
    const { account, version } = await seedVersion(t.store);
    const prediction = await t.store.predictions.insert(aPrediction(version, account.id, { timeline: [QUEUED], attempt: 1 }));
    await t.store.predictions.claim({ runnerId: "r-1", versionId: version.id, leaseUntil: at(130) });
    const retrying: TimelineEntry = { phase: "retrying", at: at(110), reason: "runner lost", attempt: 2 };

    expect(await t.store.predictions.releaseLease(prediction.id, "someone-else", { timeline: [QUEUED, retrying], attempt: 2 })).toBe(false);
    expect(await t.store.predictions.get(prediction.id)).toMatchObject({ timeline: [QUEUED], attempt: 1, leaseOwner: "r-1" });

    expect(await t.store.predictions.releaseLease(prediction.id, "r-1", { timeline: [QUEUED, retrying], attempt: 2 })).toBe(true);
    expect(await t.store.predictions.get(prediction.id)).toMatchObject({
      status: "starting",
      timeline: [QUEUED, retrying],
      attempt: 2,
      leaseOwner: null,
      leaseExpiresAt: null,
    });
    // Back in the queue: the next claim takes it again.
    expect((await t.store.predictions.claim({ runnerId: "r-2", versionId: version.id, leaseUntil: at(140) }))?.id).toBe(prediction.id);
  });

  it("releases without touching the timeline when no retry is recorded", async () => {
    const { account, version } = await seedVersion(t.store);
    const prediction = await t.store.predictions.insert(aPrediction(version, account.id, { timeline: [QUEUED], attempt: 1 }));
    await t.store.predictions.claim({ runnerId: "r-1", versionId: version.id, leaseUntil: at(130) });
    expect(await t.store.predictions.releaseLease(prediction.id, "r-1")).toBe(true);
    expect(await t.store.predictions.get(prediction.id)).toMatchObject({ timeline: [QUEUED], attempt: 1, leaseOwner: null });
  });
});
