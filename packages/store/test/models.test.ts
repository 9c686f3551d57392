// Contract: model upsert, lookup, run counts, and listing with visibility, sort orders and cursors, on every engine.
import { describe, expect, it } from "vitest";
import type { Model, ModelListQuery, Store } from "@ferry/core";
import { aModel, anAccount, aVersion, at } from "./support/fixtures.js";
import { STORE_FACTORIES } from "./support/store-factories.js";
import { useStore } from "./support/use-store.js";

async function listAll(store: Store, query: Omit<ModelListQuery, "cursor">): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await store.models.list({ ...query, cursor });
    expect(page.items.length).toBeLessThanOrEqual(query.limit);
    names.push(...page.items.map((m) => m.name));
    cursor = page.nextCursor;
  } while (cursor !== null);
  return names;
}

describe.each(STORE_FACTORIES)("models on $name", (factory) => {
  const t = useStore(factory);

  it("inserts a model with no runs and no versions, and finds it by owner/name and id", async () => {
    const account = await t.store.accounts.create(anAccount());
    const input = aModel(account, { description: "d", isOfficial: true, readme: "# hi", githubUrl: "https://github.com/x/y" });
    const model = await t.store.models.upsert(input);
    const { createdAt, ...rest } = input;
    expect(model).toEqual({
      ...rest,
      id: expect.any(String),
      runCount: 0,
      latestVersionId: null,
      latestVersionCreatedAt: null,
      defaultExampleId: null,
      createdAt,
      // A new model has an empty catalog entry until setCatalogEntry.
      tags: [],
      pricing: null,
      memoryMb: null,
      unavailableReason: null,
    });
    expect(await t.store.models.get(account.username, input.name)).toEqual(model);
    expect(await t.store.models.getById(model.id)).toEqual(model);
  });

  it("returns null for unknown models", async () => {
    expect(await t.store.models.get("nobody", "nothing")).toBeNull();
    expect(await t.store.models.getById("nothing")).toBeNull();
  });

  it("updates descriptive fields of an existing (owner, name) without touching id, runs, versions or creation time", async () => {
    const account = await t.store.accounts.create(anAccount());
    const first = await t.store.models.upsert(aModel(account, { name: "m", createdAt: at(1) }));
    await t.store.models.incrementRunCount(first.id);
    const version = await t.store.versions.create(aVersion(first, { createdAt: at(5) }));
    const updated = await t.store.models.upsert(
      aModel(account, { name: "m", description: "new", visibility: "private", isOfficial: true, hardware: "gpu-t4", createdAt: at(9) }),
    );
    expect(updated).toMatchObject({
      id: first.id,
      description: "new",
      visibility: "private",
      isOfficial: true,
      hardware: "gpu-t4",
      runCount: 1,
      latestVersionId: version.id,
      latestVersionCreatedAt: at(5),
      createdAt: at(1),
    });
    expect(await t.store.models.getById(first.id)).toEqual(updated);
  });

  it("counts runs one at a time, also under concurrent increments", async () => {
    const account = await t.store.accounts.create(anAccount());
    const model = await t.store.models.upsert(aModel(account));
    await Promise.all(Array.from({ length: 10 }, () => t.store.models.incrementRunCount(model.id)));
    expect((await t.store.models.getById(model.id))?.runCount).toBe(10);
  });

  it("writes run counts behind: another store sees them within a second, and close() writes the rest", async () => {
    const account = await t.store.accounts.create(anAccount());
    const model = await t.store.models.upsert(aModel(account));
    const other = await t.database.open();
    await t.store.models.incrementRunCount(model.id);
    await t.store.models.incrementRunCount(model.id);
    await expect.poll(async () => (await other.models.getById(model.id))?.runCount, { timeout: 5_000, interval: 50 }).toBe(2);

    const writer = await t.database.open();
    await writer.models.incrementRunCount(model.id);
    await writer.close();
    expect((await other.models.get(model.owner, model.name))?.runCount).toBe(3);
  });

  describe("list", () => {
    async function seed() {
      const alice = await t.store.accounts.create(anAccount());
      const bob = await t.store.accounts.create(anAccount());
      const make = async (owner: typeof alice, name: string, created: number, versionAt: number | null, visibility: Model["visibility"] = "public") => {
        const model = await t.store.models.upsert(aModel(owner, { name, createdAt: at(created), visibility }));
        if (versionAt !== null) await t.store.versions.create(aVersion(model, { createdAt: at(versionAt) }));
        return model;
      };
      await make(alice, "a1", 1, 50);
      await make(alice, "a2", 2, null);
      await make(alice, "a3-private", 3, 10, "private");
      await make(bob, "b1", 4, 30);
      await make(bob, "b2", 5, null);
      await make(bob, "b3-private", 6, 40, "private");
      await make(bob, "b4", 7, 20);
      return { alice, bob };
    }

    it("lists public models only to anonymous viewers, plus the viewer's own private ones", async () => {
      const { alice, bob } = await seed();
      const base = { sortBy: "model_created_at", sortDirection: "asc", limit: 100 } as const;
      expect(await listAll(t.store, { ...base, viewerAccountId: null })).toEqual(["a1", "a2", "b1", "b2", "b4"]);
      expect(await listAll(t.store, { ...base, viewerAccountId: alice.id })).toEqual(["a1", "a2", "a3-private", "b1", "b2", "b4"]);
      expect(await listAll(t.store, { ...base, viewerAccountId: bob.id })).toEqual(["a1", "a2", "b1", "b2", "b3-private", "b4"]);
    });

    it("sorts by model creation time in both directions across pages", async () => {
      await seed();
      const q = { viewerAccountId: null, sortBy: "model_created_at" } as const;
      expect(await listAll(t.store, { ...q, sortDirection: "desc", limit: 2 })).toEqual(["b4", "b2", "b1", "a2", "a1"]);
      expect(await listAll(t.store, { ...q, sortDirection: "asc", limit: 3 })).toEqual(["a1", "a2", "b1", "b2", "b4"]);
    });

    it("sorts by latest version time with models without versions last, in both directions across pages", async () => {
      const { bob } = await seed();
      const q = { viewerAccountId: bob.id, sortBy: "latest_version_created_at" } as const;
      const desc = ["a1", "b3-private", "b1", "b4"];
      const asc = ["b4", "b1", "b3-private", "a1"];
      for (const limit of [1, 2, 3, 100]) {
        const d = await listAll(t.store, { ...q, sortDirection: "desc", limit });
        const a = await listAll(t.store, { ...q, sortDirection: "asc", limit });
        expect(d.slice(0, 4)).toEqual(desc);
        expect(a.slice(0, 4)).toEqual(asc);
        expect(d.slice(4).sort()).toEqual(["a2", "b2"]);
        expect(a.slice(4).sort()).toEqual(["a2", "b2"]);
      }
    });

    it("keeps a cursor stable when models are added between pages", async () => {
      await seed();
      const q = { viewerAccountId: null, sortBy: "model_created_at", sortDirection: "desc" } as const;
      const first = await t.store.models.list({ ...q, cursor: null, limit: 2 });
      expect(first.items.map((m) => m.name)).toEqual(["b4", "b2"]);
      const carol = await t.store.accounts.create(anAccount());
      await t.store.models.upsert(aModel(carol, { name: "newest", createdAt: at(99) }));
      const rest = await t.store.models.list({ ...q, cursor: first.nextCursor, limit: 100 });
      expect(rest.items.map((m) => m.name)).toEqual(["b1", "a2", "a1"]);
    });

    it("returns an empty last page with a null cursor", async () => {
      const page = await t.store.models.list({ viewerAccountId: null, sortBy: "model_created_at", sortDirection: "desc", cursor: null, limit: 5 });
      expect(page).toEqual({ items: [], nextCursor: null });
    });
  });
});
