// Contract: model search matches case-insensitively, ranks name > owner > description > readme, and pages, on every engine.
import { describe, expect, it } from "vitest";
import type { Store } from "@ferry/core";
import { aModel, anAccount, at } from "./support/fixtures.js";
import { STORE_FACTORIES } from "./support/store-factories.js";
import { useStore } from "./support/use-store.js";

async function searchAll(store: Store, text: string, viewerAccountId: string | null, limit = 100): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await store.models.search({ text, viewerAccountId, cursor, limit });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    names.push(...page.items.map((m) => `${m.owner}/${m.name}`));
    cursor = page.nextCursor;
  } while (cursor !== null);
  return names;
}

describe.each(STORE_FACTORIES)("model search on $name", (factory) => {
  const t = useStore(factory);

  async function seed() {
    const flux = await t.store.accounts.create(anAccount({ username: "flux-labs" }));
    const acme = await t.store.accounts.create(anAccount({ username: "acme" }));
    const add = (owner: typeof acme, name: string, created: number, rest: { description?: string; readme?: string; visibility?: "private" } = {}) =>
      t.store.models.upsert(aModel(owner, { name, createdAt: at(created), description: rest.description ?? null, readme: rest.readme ?? null, visibility: rest.visibility ?? "public" }));
    await add(acme, "readme-only", 1, { readme: "Works like FLUX but smaller" });
    await add(acme, "described", 2, { description: "A Flux fine-tune" });
    await add(acme, "Flux-Schnell", 3);
    await add(flux, "painter", 4);
    await add(acme, "flux-dev", 5, { description: "flux" });
    await add(acme, "unrelated", 6, { description: "draws cats", readme: "nothing to see" });
    await add(acme, "flux-secret", 7, { visibility: "private" });
    return { flux, acme };
  }

  it("ranks name matches above owner, description and readme matches, newest first within a rank", async () => {
    await seed();
    expect(await searchAll(t.store, "flux", null)).toEqual([
      "acme/flux-dev",
      "acme/Flux-Schnell",
      "flux-labs/painter",
      "acme/described",
      "acme/readme-only",
    ]);
  });

  it("matches case-insensitively and pages through the ranking with cursors", async () => {
    await seed();
    const everything = await searchAll(t.store, "FLUX", null);
    for (const limit of [1, 2, 4]) expect(await searchAll(t.store, "fLuX", null, limit)).toEqual(everything);
  });

  it("shows private models only to their owner", async () => {
    const { acme, flux } = await seed();
    expect(await searchAll(t.store, "secret", null)).toEqual([]);
    expect(await searchAll(t.store, "secret", flux.id)).toEqual([]);
    expect(await searchAll(t.store, "secret", acme.id)).toEqual(["acme/flux-secret"]);
  });

  it("treats LIKE wildcards in the text literally", async () => {
    const acme = await t.store.accounts.create(anAccount({ username: "acme" }));
    await t.store.models.upsert(aModel(acme, { name: "a_b", createdAt: at(1) }));
    await t.store.models.upsert(aModel(acme, { name: "axb", createdAt: at(2) }));
    await t.store.models.upsert(aModel(acme, { name: "100pct", description: "100% sure", createdAt: at(3) }));
    expect(await searchAll(t.store, "a_b", null)).toEqual(["acme/a_b"]);
    expect(await searchAll(t.store, "0%", null)).toEqual(["acme/100pct"]);
  });

  it("finds nothing when nothing matches", async () => {
    await seed();
    expect(await t.store.models.search({ text: "zebra", viewerAccountId: null, cursor: null, limit: 10 })).toEqual({ items: [], nextCursor: null });
  });
});
