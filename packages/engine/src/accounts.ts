// Accounts: the first account at boot, and token authentication with a short cache so the hot path of an
// authenticated request does no query.
import { FerryError, hashToken, newApiToken, newId } from "@ferry/core";
import type { Account, Clock, Store } from "@ferry/core";
import { createTtlMap } from "./bounded-map.js";
import type { Engine } from "./engine-types.js";

const TOKEN_CACHE_SIZE = 1_000;
const TOKEN_CACHE_TTL_MS = 10_000;

export function createAccounts(store: Store, clock: Clock): Engine["accounts"] {
  const byTokenHash = createTtlMap<Account>(TOKEN_CACHE_SIZE, TOKEN_CACHE_TTL_MS, clock);

  async function addToken(account: Account, token: string, name: string): Promise<void> {
    await store.accounts.addToken({
      accountId: account.id,
      tokenHash: hashToken(token),
      name,
      createdAt: clock.now().toISOString(),
    });
  }

  return {
    async bootstrap({ username, token }) {
      const existing = await store.accounts.findByUsername(username);
      if (existing !== null) {
        // A configured token keeps working across restarts, and one changed in the config starts working.
        if (token != null && token !== "") {
          const owner = await store.accounts.findByTokenHash(hashToken(token));
          if (owner === null) await addToken(existing, token, "bootstrap");
        }
        return { account: existing, token: null };
      }
      const account = await store.accounts.create({
        id: newId(),
        username,
        name: username,
        type: "user",
        githubUrl: null,
        avatarUrl: null,
        createdAt: clock.now().toISOString(),
      });
      const issued = token != null && token !== "" ? token : newApiToken();
      await addToken(account, issued, "bootstrap");
      return { account, token: issued };
    },

    async listTokens(account) {
      return store.accounts.listTokens(account.id);
    },

    async createToken(account, name) {
      const value = newApiToken();
      const createdAt = clock.now().toISOString();
      const token = await store.accounts.addToken({ accountId: account.id, tokenHash: hashToken(value), name, createdAt });
      return { token, value };
    },

    async revokeToken(account, tokenId) {
      const tokenHash = await store.accounts.deleteToken(account.id, tokenId);
      if (tokenHash === null) throw new FerryError("not_found", "Token not found");
      // Without this a revoked token would keep working for the cache's TTL.
      byTokenHash.delete(tokenHash);
    },

    async authenticate(token) {
      const tokenHash = hashToken(token);
      const cached = byTokenHash.get(tokenHash);
      if (cached !== undefined) return cached;
      const account = await store.accounts.findByTokenHash(tokenHash);
      if (account !== null) byTokenHash.set(tokenHash, account);
      return account;
    },
  };
}
