// Contract: AccountRepository on every engine.
import { describe, expect, it } from "vitest";
import { hashToken } from "@ferry/core";
import { anAccount, at } from "./support/fixtures.js";
import { STORE_FACTORIES } from "./support/store-factories.js";
import { useStore } from "./support/use-store.js";

describe.each(STORE_FACTORIES)("accounts on $name", (factory) => {
  const t = useStore(factory);

  it("creates an account and finds it by id and by username", async () => {
    const account = anAccount({ type: "organization", githubUrl: "https://github.com/acme", avatarUrl: "https://x/a.png", createdAt: at(5) });
    expect(await t.store.accounts.create(account)).toEqual(account);
    expect(await t.store.accounts.findById(account.id)).toEqual(account);
    expect(await t.store.accounts.findByUsername(account.username)).toEqual(account);
  });

  it("fills in createdAt when none is given", async () => {
    const { createdAt: _, ...rest } = anAccount();
    const created = await t.store.accounts.create(rest);
    expect(created.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect((await t.store.accounts.findById(rest.id))?.createdAt).toBe(created.createdAt);
  });

  it("returns null for unknown ids, usernames and token hashes", async () => {
    expect(await t.store.accounts.findById("nope")).toBeNull();
    expect(await t.store.accounts.findByUsername("nope")).toBeNull();
    expect(await t.store.accounts.findByTokenHash(hashToken("r8_nope"))).toBeNull();
  });

  it("counts accounts", async () => {
    expect(await t.store.accounts.count()).toBe(0);
    await t.store.accounts.create(anAccount());
    await t.store.accounts.create(anAccount());
    expect(await t.store.accounts.count()).toBe(2);
  });

  it("rejects a second account with the same username", async () => {
    await t.store.accounts.create(anAccount({ username: "taken" }));
    await expect(t.store.accounts.create(anAccount({ username: "taken" }))).rejects.toThrow();
  });

  it("finds the account that owns a token by the token's hash", async () => {
    const alice = await t.store.accounts.create(anAccount());
    const bob = await t.store.accounts.create(anAccount());
    await t.store.accounts.addToken({ accountId: alice.id, tokenHash: hashToken("r8_alice1"), name: "default", createdAt: at(1) });
    await t.store.accounts.addToken({ accountId: alice.id, tokenHash: hashToken("r8_alice2"), name: "ci", createdAt: at(2) });
    await t.store.accounts.addToken({ accountId: bob.id, tokenHash: hashToken("r8_bob"), name: "default", createdAt: at(3) });
    expect(await t.store.accounts.findByTokenHash(hashToken("r8_alice2"))).toEqual(alice);
    expect(await t.store.accounts.findByTokenHash(hashToken("r8_bob"))).toEqual(bob);
  });

  it("rejects a token for an unknown account and a duplicate token hash", async () => {
    const alice = await t.store.accounts.create(anAccount());
    await expect(
      t.store.accounts.addToken({ accountId: "ghost", tokenHash: hashToken("r8_x"), name: "x", createdAt: at(1) }),
    ).rejects.toThrow();
    await t.store.accounts.addToken({ accountId: alice.id, tokenHash: hashToken("r8_y"), name: "y", createdAt: at(1) });
    await expect(
      t.store.accounts.addToken({ accountId: alice.id, tokenHash: hashToken("r8_y"), name: "y2", createdAt: at(2) }),
    ).rejects.toThrow();
  });
  it("lists an account's tokens oldest first and deletes only the owner's token", async () => {
    const alice = await t.store.accounts.create(anAccount());
    const bob = await t.store.accounts.create(anAccount());
    const ci = await t.store.accounts.addToken({ accountId: alice.id, tokenHash: hashToken("r8_ci"), name: "ci", createdAt: at(2) });
    const first = await t.store.accounts.addToken({ accountId: alice.id, tokenHash: hashToken("r8_one"), name: "one", createdAt: at(1) });
    await t.store.accounts.addToken({ accountId: bob.id, tokenHash: hashToken("r8_bobs"), name: "bobs", createdAt: at(3) });
    expect(await t.store.accounts.listTokens(alice.id)).toEqual([first, ci]);

    expect(await t.store.accounts.deleteToken(bob.id, ci.id)).toBeNull();
    expect(await t.store.accounts.deleteToken(alice.id, ci.id)).toBe(hashToken("r8_ci"));
    expect(await t.store.accounts.deleteToken(alice.id, ci.id)).toBeNull();
    expect(await t.store.accounts.findByTokenHash(hashToken("r8_ci"))).toBeNull();
    expect((await t.store.accounts.listTokens(alice.id)).map((token) => token.name)).toEqual(["one"]);
  });
});
