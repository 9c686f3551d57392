// Contract: a model's catalog entry, tag-aware ranked search, collections and saved examples, on every engine.
import { describe, expect, it } from "vitest";
import type { Account, Collection, Model, Store } from "@ferry/core";
import { aModel, anAccount, aPrediction, at, aVersion } from "./support/fixtures.js";
import { STORE_FACTORIES } from "./support/store-factories.js";
import { useStore } from "./support/use-store.js";

const ENTRY = { tags: ["ocr", "image"], pricing: { unit: "second", priceUsd: null }, memoryMb: 600, unavailableReason: null };

function aCollection(slug: string, position: number, overrides: Partial<Collection> = {}): Collection {
  return { slug, name: slug.toUpperCase(), description: `The ${slug} models`, fullDescription: null, position, ...overrides };
}

async function searchAll(store: Store, text: string, limit = 100): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await store.models.search({ text, viewerAccountId: null, cursor, limit });
    names.push(...page.items.map((m) => m.name));
    cursor = page.nextCursor;
  } while (cursor !== null);
  return names;
}

describe.each(STORE_FACTORIES)("model catalog on $name", (factory) => {
  const t = useStore(factory);

  async function model(account: Account, name: string, overrides: Parameters<typeof aModel>[1] = {}): Promise<Model> {
    return t.store.models.upsert(aModel(account, { name, ...overrides }));
  }

  it("keeps a model's catalog entry, and leaves it alone when the model is upserted again", async () => {
    const account = await t.store.accounts.create(anAccount());
    const created = await model(account, "ocr");
    expect(created).toMatchObject({ tags: [], pricing: null, memoryMb: null, unavailableReason: null });

    const set = await t.store.models.setCatalogEntry(created.id, ENTRY);
    expect(set).toMatchObject(ENTRY);
    await model(account, "ocr", { description: "changed" });
    expect(await t.store.models.get(account.username, "ocr")).toMatchObject({ ...ENTRY, description: "changed" });

    const unavailable = { tags: [], pricing: { unit: "image", priceUsd: 0.0002 }, memoryMb: null, unavailableReason: "sox is missing" };
    expect(await t.store.models.setCatalogEntry(created.id, unavailable)).toMatchObject(unavailable);
    expect(await t.store.models.setCatalogEntry("no-such-model", ENTRY)).toBeNull();
  });

  it("points a model's default example at a prediction", async () => {
    const account = await t.store.accounts.create(anAccount());
    const m = await model(account, "m");
    const version = await t.store.versions.create(aVersion(m));
    const prediction = await t.store.predictions.insert(aPrediction(version, account.id));
    await t.store.models.setDefaultExample(m.id, prediction.id);
    expect((await t.store.models.getById(m.id))?.defaultExampleId).toBe(prediction.id);
    await t.store.models.setDefaultExample(m.id, null);
    expect((await t.store.models.getById(m.id))?.defaultExampleId).toBeNull();
  });

  it("ranks search matches name > tag > owner > description > readme, official models first within a rank", async () => {
    const vision = await t.store.accounts.create(anAccount({ username: "vision-lab" }));
    const acme = await t.store.accounts.create(anAccount({ username: "acme" }));
    const readme = await model(acme, "by-readme", { readme: "reads text in a vision pipeline", createdAt: at(1) });
    const described = await model(acme, "by-description", { description: "A Vision model", createdAt: at(2) });
    await model(vision, "by-owner", { createdAt: at(3) });
    const tagged = await model(acme, "by-tag", { createdAt: at(4) });
    const officialTagged = await model(acme, "by-tag-official", { isOfficial: true, createdAt: at(0) });
    await model(acme, "vision-named", { createdAt: at(5) });
    await model(acme, "vision-official", { isOfficial: true, createdAt: at(0) });
    for (const m of [tagged, officialTagged]) await t.store.models.setCatalogEntry(m.id, { ...ENTRY, tags: ["vision", "ocr"] });
    // A tag of another word does not match.
    await t.store.models.setCatalogEntry(readme.id, { ...ENTRY, tags: ["audio"] });
    await t.store.models.setCatalogEntry(described.id, { ...ENTRY, tags: ["text"] });

    const expected = ["vision-official", "vision-named", "by-tag-official", "by-tag", "by-owner", "by-description", "by-readme"];
    expect(await searchAll(t.store, "VISION")).toEqual(expected);
    for (const limit of [1, 2, 3]) expect(await searchAll(t.store, "vision", limit)).toEqual(expected);
    expect(await searchAll(t.store, "ocr")).toEqual(["by-tag-official", "by-tag"]);
  });

  it("lists collections in order, page by page, and gets one by slug", async () => {
    await t.store.collections.put(aCollection("utilities", 3), []);
    await t.store.collections.put(aCollection("vision", 0, { fullDescription: "# Vision" }), []);
    await t.store.collections.put(aCollection("audio", 1), []);
    const slugs: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await t.store.collections.list({ cursor, limit: 2 });
      expect(page.items.length).toBeLessThanOrEqual(2);
      slugs.push(...page.items.map((c) => c.slug));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(slugs).toEqual(["vision", "audio", "utilities"]);
    expect(await t.store.collections.get("vision")).toEqual(aCollection("vision", 0, { fullDescription: "# Vision" }));
    expect(await t.store.collections.get("nope")).toBeNull();
  });

  it("keeps a collection's models in order, replaces them on put, and hides others' private models", async () => {
    const acme = await t.store.accounts.create(anAccount());
    const a = await model(acme, "a");
    const b = await model(acme, "b");
    const secret = await model(acme, "secret", { visibility: "private" });
    await t.store.collections.put(aCollection("vision", 0), [b.id, secret.id, a.id]);
    expect((await t.store.collections.models("vision", null)).map((m) => m.name)).toEqual(["b", "a"]);
    expect((await t.store.collections.models("vision", acme.id)).map((m) => m.name)).toEqual(["b", "secret", "a"]);

    await t.store.collections.put(aCollection("vision", 0, { name: "Sight" }), [a.id]);
    expect((await t.store.collections.models("vision", null)).map((m) => m.name)).toEqual(["a"]);
    expect((await t.store.collections.get("vision"))?.name).toBe("Sight");
    expect(await t.store.collections.models("unknown", null)).toEqual([]);
  });

  it("searches collections by name, slug and description", async () => {
    await t.store.collections.put(aCollection("audio", 1, { name: "Audio", description: "Speech and sound" }), []);
    await t.store.collections.put(aCollection("text", 2, { name: "Text", description: "Language, speech transcripts" }), []);
    await t.store.collections.put(aCollection("speech", 3, { name: "Speech", description: "Voices" }), []);
    expect((await t.store.collections.search("SPEECH", 10)).map((c) => c.slug)).toEqual(["speech", "audio", "text"]);
    expect((await t.store.collections.search("speech", 1)).map((c) => c.slug)).toEqual(["speech"]);
    expect(await t.store.collections.search("zebra", 10)).toEqual([]);
  });

  it("saves one example per name and lists them as predictions in order", async () => {
    const account = await t.store.accounts.create(anAccount());
    const m = await model(account, "m");
    const version = await t.store.versions.create(aVersion(m));
    const first = await t.store.predictions.insert(aPrediction(version, account.id, { source: "web", status: "succeeded", output: "one" }));
    const second = await t.store.predictions.insert(aPrediction(version, account.id, { source: "web" }));
    const third = await t.store.predictions.insert(aPrediction(version, account.id, { source: "web" }));
    await t.store.examples.save({ modelId: m.id, name: "default", predictionId: first.id, position: 0 });
    await t.store.examples.save({ modelId: m.id, name: "other", predictionId: second.id, position: 1 });
    await t.store.examples.save({ modelId: m.id, name: "third", predictionId: third.id, position: 2 });

    const page = await t.store.examples.list(m.id, { cursor: null, limit: 2 });
    expect(page.items.map((p) => p.id)).toEqual([first.id, second.id]);
    expect(page.items[0]).toMatchObject({ status: "succeeded", output: "one", source: "web", input: { prompt: "hello" } });
    const rest = await t.store.examples.list(m.id, { cursor: page.nextCursor, limit: 2 });
    expect(rest).toMatchObject({ nextCursor: null });
    expect(rest.items.map((p) => p.id)).toEqual([third.id]);

    // Saving "default" again replaces its prediction.
    const newer = await t.store.predictions.insert(aPrediction(version, account.id, { source: "web" }));
    await t.store.examples.save({ modelId: m.id, name: "default", predictionId: newer.id, position: 0 });
    const all = await t.store.examples.list(m.id, { cursor: null, limit: 10 });
    expect(all.items.map((p) => p.id)).toEqual([newer.id, second.id, third.id]);
  });
});
