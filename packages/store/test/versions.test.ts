// Contract: content-addressed versions and the model's latest version, on every engine.
import { describe, expect, it } from "vitest";
import { aModel, anAccount, aVersion, at } from "./support/fixtures.js";
import { STORE_FACTORIES } from "./support/store-factories.js";
import { useStore } from "./support/use-store.js";

describe.each(STORE_FACTORIES)("versions on $name", (factory) => {
  const t = useStore(factory);

  async function aStoredModel() {
    const account = await t.store.accounts.create(anAccount());
    return t.store.models.upsert(aModel(account));
  }

  it("stores a version, reads it back, and makes it the model's latest", async () => {
    const model = await aStoredModel();
    const version = aVersion(model, {
      createdAt: at(10),
      cogVersion: null,
      runtime: { kind: "command", command: "python", args: ["-m", "cog.server.http", "--port", "{port}"], cwd: "/m", concurrency: 4, env: { A: "1" } },
    });
    expect(await t.store.versions.create(version)).toEqual(version);
    expect(await t.store.versions.get(version.id)).toEqual(version);
    expect(await t.store.models.getById(model.id)).toMatchObject({ latestVersionId: version.id, latestVersionCreatedAt: at(10) });
  });

  it("returns null for an unknown id", async () => {
    expect(await t.store.versions.get("0".repeat(64))).toBeNull();
  });

  it("keeps the first copy of a version pushed twice, refreshing only its runtime, and makes it latest again", async () => {
    const model = await aStoredModel();
    const first = await t.store.versions.create(aVersion(model, { createdAt: at(10) }));
    const second = await t.store.versions.create(aVersion(model, { createdAt: at(20) }));
    expect((await t.store.models.getById(model.id))?.latestVersionId).toBe(second.id);

    const moved = { kind: "node" as const, entry: "/new/place/predict.ts", concurrency: 2 };
    const again = await t.store.versions.create({ ...first, createdAt: at(30), cogVersion: "9.9.9", openapiSchema: {}, runtime: moved });
    expect(again).toEqual({ ...first, runtime: moved });
    expect(await t.store.versions.get(first.id)).toEqual(again);
    expect(await t.store.models.getById(model.id)).toMatchObject({ latestVersionId: first.id, latestVersionCreatedAt: at(10) });
  });

  it("rejects a version of an unknown model", async () => {
    const model = await aStoredModel();
    await expect(t.store.versions.create(aVersion({ ...model, id: "ghost" }))).rejects.toThrow();
  });

  it("lists a model's versions newest first across pages", async () => {
    const model = await aStoredModel();
    const other = await aStoredModel();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await t.store.versions.create(aVersion(model, { createdAt: at(i % 2 === 0 ? 10 + i : 10) }))).id);
      await t.store.versions.create(aVersion(other));
    }
    const expected = (await Promise.all(ids.map((id) => t.store.versions.get(id))))
      .map((v) => v!)
      .sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1))
      .map((v) => v.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await t.store.versions.list(model.id, { cursor, limit: 2 });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((v) => v.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(expected);
  });

  it("lists nothing for a model without versions", async () => {
    const model = await aStoredModel();
    expect(await t.store.versions.list(model.id, { cursor: null, limit: 10 })).toEqual({ items: [], nextCursor: null });
  });
});
