// Contract: the queue and lease operations on predictions, on every engine.
import { describe, expect, it } from "vitest";
import { aPrediction, at, seedVersion } from "./support/fixtures.js";
import { STORE_FACTORIES } from "./support/store-factories.js";
import { useStore } from "./support/use-store.js";

describe.each(STORE_FACTORIES)("prediction queue on $name", (factory) => {
  const t = useStore(factory);

  describe("claim", () => {
    it("takes the oldest queued prediction of the version and leases it to the runner", async () => {
      const { account, version } = await seedVersion(t.store);
      const first = await t.store.predictions.insert(aPrediction(version, account.id));
      await t.store.predictions.insert(aPrediction(version, account.id));
      const claimed = await t.store.predictions.claim({ runnerId: "runner-1", versionId: version.id, leaseUntil: at(130) });
      expect(claimed).toEqual({ ...first, leaseOwner: "runner-1", leaseExpiresAt: at(130) });
      expect(await t.store.predictions.get(first.id)).toEqual(claimed);
    });

    it("takes queued predictions in insertion order, each once, then returns null", async () => {
      const { account, version } = await seedVersion(t.store);
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await t.store.predictions.insert(aPrediction(version, account.id))).id);
      const claim = () => t.store.predictions.claim({ runnerId: "r", versionId: version.id, leaseUntil: at(130) });
      expect((await claim())?.id).toBe(ids[0]);
      expect((await claim())?.id).toBe(ids[1]);
      expect((await claim())?.id).toBe(ids[2]);
      expect(await claim()).toBeNull();
    });

    it("only takes predictions of the requested version", async () => {
      const a = await seedVersion(t.store);
      const b = await seedVersion(t.store);
      await t.store.predictions.insert(aPrediction(a.version, a.account.id));
      expect(await t.store.predictions.claim({ runnerId: "r", versionId: b.version.id, leaseUntil: at(130) })).toBeNull();
    });

    it("skips predictions that are no longer starting", async () => {
      const { account, version } = await seedVersion(t.store);
      const canceled = await t.store.predictions.insert(aPrediction(version, account.id));
      await t.store.predictions.update(canceled.id, "starting", { status: "canceled" });
      const processing = await t.store.predictions.insert(aPrediction(version, account.id, { status: "processing" }));
      const queued = await t.store.predictions.insert(aPrediction(version, account.id));
      const claimed = await t.store.predictions.claim({ runnerId: "r", versionId: version.id, leaseUntil: at(130) });
      expect(claimed?.id).toBe(queued.id);
      expect((await t.store.predictions.get(processing.id))?.leaseOwner).toBeNull();
    });
  });

  it("counts queued (starting, unleased) predictions per version", async () => {
    const a = await seedVersion(t.store);
    const b = await seedVersion(t.store);
    for (let i = 0; i < 3; i++) await t.store.predictions.insert(aPrediction(a.version, a.account.id));
    await t.store.predictions.insert(aPrediction(b.version, b.account.id));
    await t.store.predictions.insert(aPrediction(b.version, b.account.id, { status: "processing" }));
    await t.store.predictions.claim({ runnerId: "r", versionId: a.version.id, leaseUntil: at(130) });
    const counts = await t.store.predictions.queuedVersions();
    expect(counts.sort((x, y) => y.count - x.count)).toEqual([
      { versionId: a.version.id, count: 2 },
      { versionId: b.version.id, count: 1 },
    ]);
  });

  it("returns no queued versions when nothing waits", async () => {
    expect(await t.store.predictions.queuedVersions()).toEqual([]);
  });

  describe("renewLeases", () => {
    it("extends only the leases this runner holds on unfinished predictions", async () => {
      const { account, version } = await seedVersion(t.store);
      for (let i = 0; i < 3; i++) await t.store.predictions.insert(aPrediction(version, account.id));
      const mine = await t.store.predictions.claim({ runnerId: "mine", versionId: version.id, leaseUntil: at(130) });
      const done = await t.store.predictions.claim({ runnerId: "mine", versionId: version.id, leaseUntil: at(130) });
      const theirs = await t.store.predictions.claim({ runnerId: "theirs", versionId: version.id, leaseUntil: at(130) });
      await t.store.predictions.update(done!.id, "starting", { status: "canceled" });
      const renewed = await t.store.predictions.renewLeases("mine", [mine!.id, done!.id, theirs!.id, "unknown"], at(160));
      expect(renewed).toBe(1);
      expect((await t.store.predictions.get(mine!.id))?.leaseExpiresAt).toBe(at(160));
      expect((await t.store.predictions.get(theirs!.id))?.leaseExpiresAt).toBe(at(130));
      expect((await t.store.predictions.get(done!.id))?.leaseExpiresAt).toBe(at(130));
    });

    it("renews nothing for an empty list", async () => {
      expect(await t.store.predictions.renewLeases("mine", [], at(160))).toBe(0);
    });
  });

  describe("findLeased", () => {
    it("finds unfinished predictions whose lease expired before the time, or held by the given runners", async () => {
      const { account, version } = await seedVersion(t.store);
      for (let i = 0; i < 5; i++) await t.store.predictions.insert(aPrediction(version, account.id));
      const claim = (runnerId: string, until: number) =>
        t.store.predictions.claim({ runnerId, versionId: version.id, leaseUntil: at(until) });
      const expired = await claim("a", 100);
      const fresh = await claim("a", 300);
      const lost = await claim("b", 300);
      const finished = await claim("c", 100);
      await t.store.predictions.update(finished!.id, "starting", { status: "failed" });
      const unleased = (await t.store.predictions.list({ accountId: account.id, cursor: null, limit: 10 })).items.find(
        (p) => p.leaseOwner === null,
      );
      expect(unleased).toBeDefined();

      const ids = async (filter: { expiredBefore?: string; runnerIds?: string[] }) =>
        (await t.store.predictions.findLeased(filter)).map((p) => p.id).sort();
      expect(await ids({ expiredBefore: at(200) })).toEqual([expired!.id]);
      expect(await ids({ runnerIds: ["b"] })).toEqual([lost!.id]);
      expect(await ids({ expiredBefore: at(200), runnerIds: ["b"] })).toEqual([expired!.id, lost!.id].sort());
      expect(await ids({ expiredBefore: at(100) })).toEqual([]);
      expect(await ids({})).toEqual([]);
      expect(await ids({ runnerIds: [] })).toEqual([]);
      expect(fresh).not.toBeNull();
    });

    it("includes processing predictions with an expired lease", async () => {
      const { account, version } = await seedVersion(t.store);
      await t.store.predictions.insert(aPrediction(version, account.id));
      const claimed = await t.store.predictions.claim({ runnerId: "a", versionId: version.id, leaseUntil: at(100) });
      await t.store.predictions.update(claimed!.id, "starting", { status: "processing", startedAt: at(50) });
      const found = await t.store.predictions.findLeased({ expiredBefore: at(101) });
      expect(found.map((p) => [p.id, p.status])).toEqual([[claimed!.id, "processing"]]);
    });
  });

  describe("findPastDeadline", () => {
    it("finds unfinished predictions with a deadline at or before now, soonest first, up to the limit", async () => {
      const { account, version } = await seedVersion(t.store);
      const insert = (deadline: number | null, status: "starting" | "processing" | "succeeded" = "starting") =>
        t.store.predictions.insert(aPrediction(version, account.id, { deadline: deadline === null ? null : at(deadline), status }));
      const later = await insert(150);
      const now = await insert(140);
      const earlier = await insert(120, "processing");
      await insert(130, "succeeded");
      await insert(null);
      await insert(141);
      expect((await t.store.predictions.findPastDeadline(at(140), 10)).map((p) => p.id)).toEqual([earlier.id, now.id]);
      expect((await t.store.predictions.findPastDeadline(at(140), 1)).map((p) => p.id)).toEqual([earlier.id]);
      expect((await t.store.predictions.findPastDeadline(at(500), 10)).map((p) => p.id)).toContain(later.id);
    });
  });

  describe("releaseLease", () => {
    it("returns a claimed, not started prediction to the queue so it can be claimed again", async () => {
      const { account, version } = await seedVersion(t.store);
      const p = await t.store.predictions.insert(aPrediction(version, account.id));
      await t.store.predictions.claim({ runnerId: "a", versionId: version.id, leaseUntil: at(130) });
      expect(await t.store.predictions.releaseLease(p.id, "a")).toBe(true);
      expect(await t.store.predictions.get(p.id)).toMatchObject({ leaseOwner: null, leaseExpiresAt: null });
      expect((await t.store.predictions.claim({ runnerId: "b", versionId: version.id, leaseUntil: at(140) }))?.id).toBe(p.id);
    });

    it("refuses when another runner holds the lease, or the prediction has started", async () => {
      const { account, version } = await seedVersion(t.store);
      const p = await t.store.predictions.insert(aPrediction(version, account.id));
      await t.store.predictions.claim({ runnerId: "a", versionId: version.id, leaseUntil: at(130) });
      expect(await t.store.predictions.releaseLease(p.id, "b")).toBe(false);
      await t.store.predictions.update(p.id, "starting", { status: "processing" });
      expect(await t.store.predictions.releaseLease(p.id, "a")).toBe(false);
      expect((await t.store.predictions.get(p.id))?.leaseOwner).toBe("a");
      expect(await t.store.predictions.releaseLease("unknown", "a")).toBe(false);
    });
  });
});
