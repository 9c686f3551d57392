// Contract: storing, reading, listing and compare-and-set updates of predictions on every engine.
import { describe, expect, it } from "vitest";
import { FerryError } from "@ferry/core";
import { aPrediction, at, seedVersion } from "./support/fixtures.js";
import { STORE_FACTORIES } from "./support/store-factories.js";
import { useStore } from "./support/use-store.js";

describe.each(STORE_FACTORIES)("predictions on $name", (factory) => {
  const t = useStore(factory);

  it("stores a prediction and reads every field back as it was written", async () => {
    const { account, version } = await seedVersion(t.store);
    const prediction = aPrediction(version, account.id, {
      input: { prompt: "a cat", steps: 20, nested: { list: [1, "two", null] } },
      output: ["a", "b"],
      logs: "line 1\nline 2",
      error: "boom",
      source: "web",
      dataRemoved: true,
      deadline: at(200),
      metrics: { predict_time: 1.5 },
      webhook: "https://example.com/hook",
      webhookEventsFilter: ["start", "completed"],
      canStream: true,
    });
    const inserted = await t.store.predictions.insert(prediction);
    expect(inserted).toEqual({ ...prediction, leaseOwner: null, leaseExpiresAt: null });
    expect(await t.store.predictions.get(prediction.id)).toEqual(inserted);
  });

  it("keeps null output, metrics and filter as null, and false flags as false", async () => {
    const { account, version } = await seedVersion(t.store);
    const prediction = aPrediction(version, account.id);
    await t.store.predictions.insert(prediction);
    const read = await t.store.predictions.get(prediction.id);
    expect(read).toMatchObject({ output: null, metrics: null, webhookEventsFilter: null, dataRemoved: false, canStream: false });
  });

  it("returns null for an unknown id", async () => {
    expect(await t.store.predictions.get("nope")).toBeNull();
  });

  it("rejects a second prediction with the same id", async () => {
    const { account, version } = await seedVersion(t.store);
    const prediction = aPrediction(version, account.id);
    await t.store.predictions.insert(prediction);
    await expect(t.store.predictions.insert(prediction)).rejects.toThrow();
  });

  describe("update (compare-and-set)", () => {
    it("applies a patch while the status is the expected one and returns the new row", async () => {
      const { account, version } = await seedVersion(t.store);
      const prediction = await t.store.predictions.insert(aPrediction(version, account.id));
      const updated = await t.store.predictions.update(prediction.id, "starting", {
        status: "processing",
        startedAt: at(101),
        logs: "booting\n",
        output: [],
      });
      expect(updated).toEqual({ ...prediction, status: "processing", startedAt: at(101), logs: "booting\n", output: [] });
      expect(await t.store.predictions.get(prediction.id)).toEqual(updated);
    });

    it("does not apply a patch when the expected status is stale", async () => {
      const { account, version } = await seedVersion(t.store);
      const prediction = await t.store.predictions.insert(aPrediction(version, account.id));
      await t.store.predictions.update(prediction.id, "starting", { status: "processing" });
      expect(await t.store.predictions.update(prediction.id, "starting", { status: "canceled", error: "late" })).toBeNull();
      expect(await t.store.predictions.get(prediction.id)).toMatchObject({ status: "processing", error: null });
    });

    it("lets exactly one of two writers from the same status win", async () => {
      const { account, version } = await seedVersion(t.store);
      const prediction = await t.store.predictions.insert(aPrediction(version, account.id, { status: "processing" }));
      const results = await Promise.all([
        t.store.predictions.update(prediction.id, "processing", { status: "succeeded", completedAt: at(120) }),
        t.store.predictions.update(prediction.id, "processing", { status: "canceled", completedAt: at(121) }),
      ]);
      expect(results.filter((r) => r !== null)).toHaveLength(1);
    });

    it("returns null for an unknown id", async () => {
      expect(await t.store.predictions.update("nope", "starting", { status: "processing" })).toBeNull();
    });

    it("leaves fields absent from the patch untouched, and writes null where the patch says null", async () => {
      const { account, version } = await seedVersion(t.store);
      const prediction = await t.store.predictions.insert(
        aPrediction(version, account.id, { status: "processing", logs: "kept", metrics: { predict_time: 1 }, output: "x" }),
      );
      const updated = await t.store.predictions.update(prediction.id, "processing", {
        status: "succeeded",
        output: null,
        metrics: { predict_time: 2, total_time: 3 },
        dataRemoved: true,
        leaseOwner: null,
        leaseExpiresAt: null,
      });
      expect(updated).toMatchObject({ logs: "kept", output: null, metrics: { predict_time: 2, total_time: 3 }, dataRemoved: true });
    });

    it("with an empty patch reports whether the status is still the expected one", async () => {
      const { account, version } = await seedVersion(t.store);
      const prediction = await t.store.predictions.insert(aPrediction(version, account.id));
      expect(await t.store.predictions.update(prediction.id, "starting", {})).toEqual(prediction);
      expect(await t.store.predictions.update(prediction.id, "processing", {})).toBeNull();
    });
  });

  describe("list", () => {
    it("lists an account's predictions newest first across pages with cursors", async () => {
      const { account, version } = await seedVersion(t.store);
      const other = await seedVersion(t.store);
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        ids.push((await t.store.predictions.insert(aPrediction(version, account.id, { createdAt: at(100 + i) }))).id);
        await t.store.predictions.insert(aPrediction(other.version, other.account.id, { createdAt: at(100 + i) }));
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await t.store.predictions.list({ accountId: account.id, cursor, limit: 3 });
        seen.push(...page.items.map((p) => p.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== null);
      expect(seen).toEqual([...ids].reverse());
      expect(pages).toBe(3);
    });

    it("ends with a null cursor when the last page is exactly full", async () => {
      const { account, version } = await seedVersion(t.store);
      for (let i = 0; i < 4; i++) await t.store.predictions.insert(aPrediction(version, account.id));
      const first = await t.store.predictions.list({ accountId: account.id, cursor: null, limit: 2 });
      const second = await t.store.predictions.list({ accountId: account.id, cursor: first.nextCursor, limit: 2 });
      expect(second.items).toHaveLength(2);
      expect(second.nextCursor).toBeNull();
    });

    it("keeps a cursor stable when newer predictions arrive between pages", async () => {
      const { account, version } = await seedVersion(t.store);
      const a = await t.store.predictions.insert(aPrediction(version, account.id));
      const b = await t.store.predictions.insert(aPrediction(version, account.id));
      const c = await t.store.predictions.insert(aPrediction(version, account.id));
      const first = await t.store.predictions.list({ accountId: account.id, cursor: null, limit: 1 });
      expect(first.items.map((p) => p.id)).toEqual([c.id]);
      await t.store.predictions.insert(aPrediction(version, account.id));
      const rest = await t.store.predictions.list({ accountId: account.id, cursor: first.nextCursor, limit: 10 });
      expect(rest.items.map((p) => p.id)).toEqual([b.id, a.id]);
    });

    it("filters by created_after (inclusive), created_before (exclusive) and source", async () => {
      const { account, version } = await seedVersion(t.store);
      const make = (s: number, source: "api" | "web") =>
        t.store.predictions.insert(aPrediction(version, account.id, { createdAt: at(s), source }));
      const p1 = await make(1, "api");
      const p2 = await make(2, "web");
      const p3 = await make(3, "api");
      await make(4, "web");
      const ids = async (q: { createdAfter?: string; createdBefore?: string; source?: "api" | "web" }) =>
        (await t.store.predictions.list({ accountId: account.id, cursor: null, limit: 10, ...q })).items.map((p) => p.id);
      expect(await ids({ createdAfter: at(2), createdBefore: at(4) })).toEqual([p3.id, p2.id]);
      expect(await ids({ source: "api" })).toEqual([p3.id, p1.id]);
      expect(await ids({ createdAfter: at(2), source: "web" })).toHaveLength(2);
      expect(await ids({ createdBefore: at(1) })).toEqual([]);
    });

    it("rejects a malformed cursor with a bad_request error", async () => {
      const { account } = await seedVersion(t.store);
      const attempt = t.store.predictions.list({ accountId: account.id, cursor: "not-a-cursor", limit: 10 });
      await expect(attempt).rejects.toBeInstanceOf(FerryError);
      await expect(attempt).rejects.toMatchObject({ code: "bad_request" });
    });
  });
});
