// Contract: FileRepository (Files-API uploads and output files) on every engine.
import { describe, expect, it } from "vitest";
import { newId, newPredictionId } from "@ferry/core";
import type { Account, StoredFile } from "@ferry/core";
import { anAccount, at } from "./support/fixtures.js";
import { STORE_FACTORIES } from "./support/store-factories.js";
import { useStore } from "./support/use-store.js";

function aFile(account: Account, overrides: Partial<StoredFile> = {}): StoredFile {
  const id = newId();
  return {
    id,
    accountId: account.id,
    kind: "upload",
    predictionId: null,
    name: "hello.txt",
    contentType: "text/plain",
    size: 5,
    sha256: "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
    md5: "5d41402abc4b2a76b9719d911017c592",
    metadata: {},
    blobKey: `uploads/${id}`,
    createdAt: at(10),
    expiresAt: at(10 + 86_400),
    ...overrides,
  };
}

describe.each(STORE_FACTORIES)("files on $name", (factory) => {
  const t = useStore(factory);

  it("stores a file and reads it back field for field", async () => {
    const account = await t.store.accounts.create(anAccount());
    const file = aFile(account, {
      name: "données.json",
      contentType: "application/json",
      size: 6_000_000_000,
      metadata: { purpose: "test", nested: { n: 1, list: [true, null] } },
    });
    expect(await t.store.files.create(file)).toEqual(file);
    expect(await t.store.files.get(file.id)).toEqual(file);
  });

  it("stores an output file tied to its prediction, without an expiry", async () => {
    const account = await t.store.accounts.create(anAccount());
    const predictionId = newPredictionId();
    const file = aFile(account, { kind: "output", predictionId, blobKey: `outputs/${predictionId}/out.png`, expiresAt: null });
    await t.store.files.create(file);
    expect(await t.store.files.get(file.id)).toEqual(file);
  });

  it("returns null for an unknown id", async () => {
    expect(await t.store.files.get("nope")).toBeNull();
  });

  it("rejects a second file with the same id, and a file of an unknown account", async () => {
    const account = await t.store.accounts.create(anAccount());
    const file = aFile(account);
    await t.store.files.create(file);
    await expect(t.store.files.create({ ...file, name: "again" })).rejects.toThrow();
    await expect(t.store.files.create(aFile({ ...account, id: "ghost" }))).rejects.toThrow();
  });

  it("lists only the account's uploads, newest first, across pages", async () => {
    const alice = await t.store.accounts.create(anAccount());
    const bob = await t.store.accounts.create(anAccount());
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      // Two files share a creation time: the id breaks the tie.
      const file = await t.store.files.create(aFile(alice, { createdAt: at(i === 4 ? 3 : i) }));
      ids.push(file.id);
      await t.store.files.create(aFile(bob, { createdAt: at(i) }));
    }
    await t.store.files.create(aFile(alice, { kind: "output", predictionId: newPredictionId(), createdAt: at(99) }));

    const stored = await Promise.all(ids.map(async (id) => (await t.store.files.get(id))!));
    const expected = stored
      .sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1))
      .map((f) => f.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await t.store.files.list(alice.id, { cursor, limit: 2 });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((f) => f.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(expected);
  });

  it("lists nothing for an account without uploads, and rejects a forged cursor", async () => {
    const account = await t.store.accounts.create(anAccount());
    expect(await t.store.files.list(account.id, { cursor: null, limit: 10 })).toEqual({ items: [], nextCursor: null });
    await expect(t.store.files.list(account.id, { cursor: "not-a-cursor", limit: 10 })).rejects.toThrow("The cursor is invalid");
  });

  it("deletes a file once", async () => {
    const account = await t.store.accounts.create(anAccount());
    const file = await t.store.files.create(aFile(account));
    expect(await t.store.files.delete(file.id)).toBe(true);
    expect(await t.store.files.get(file.id)).toBeNull();
    expect(await t.store.files.delete(file.id)).toBe(false);
  });

  it("finds files whose expiry passed, oldest expiry first, up to the limit", async () => {
    const account = await t.store.accounts.create(anAccount());
    const late = await t.store.files.create(aFile(account, { expiresAt: at(300) }));
    const early = await t.store.files.create(aFile(account, { expiresAt: at(100) }));
    const exactlyNow = await t.store.files.create(aFile(account, { expiresAt: at(500) }));
    await t.store.files.create(aFile(account, { expiresAt: at(501) }));
    await t.store.files.create(aFile(account, { expiresAt: null }));

    expect((await t.store.files.findExpired(at(500), 10)).map((f) => f.id)).toEqual([early.id, late.id, exactlyNow.id]);
    expect((await t.store.files.findExpired(at(500), 2)).map((f) => f.id)).toEqual([early.id, late.id]);
    expect(await t.store.files.findExpired(at(99), 10)).toEqual([]);
  });

  it("finds the output files of given predictions", async () => {
    const account = await t.store.accounts.create(anAccount());
    const [p1, p2, p3] = [newPredictionId(), newPredictionId(), newPredictionId()];
    const a = await t.store.files.create(aFile(account, { kind: "output", predictionId: p1, createdAt: at(1) }));
    const b = await t.store.files.create(aFile(account, { kind: "output", predictionId: p1, createdAt: at(2) }));
    const c = await t.store.files.create(aFile(account, { kind: "output", predictionId: p2, createdAt: at(3) }));
    await t.store.files.create(aFile(account, { kind: "output", predictionId: p3 }));
    await t.store.files.create(aFile(account));

    const found = await t.store.files.findByPredictions([p1, p2, "unknown"]);
    expect(found.map((f) => f.id).sort()).toEqual([a.id, b.id, c.id].sort());
    expect(await t.store.files.findByPredictions([])).toEqual([]);
  });

  it("looks up the outputs of more predictions than one statement can name", async () => {
    const account = await t.store.accounts.create(anAccount());
    const wanted = newPredictionId();
    const file = await t.store.files.create(aFile(account, { kind: "output", predictionId: wanted }));
    const many = Array.from({ length: 1_200 }, () => newPredictionId());
    many.splice(900, 0, wanted);
    expect((await t.store.files.findByPredictions(many)).map((f) => f.id)).toEqual([file.id]);
  });
});
