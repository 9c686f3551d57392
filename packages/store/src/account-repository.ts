// Accounts and their API tokens (only token hashes are stored).
import { newId } from "@ferry/core";
import type { Account, AccountRepository } from "@ferry/core";
import type { StoreContext } from "./context.js";
import { toAccount } from "./rows.js";

/** Retention lives in retention-repository.ts, the webhook secret in webhook-repository.ts; create-store.ts joins them. */
export function createAccountRepository({ db }: StoreContext): Omit<AccountRepository, "getDataRetention" | "setDataRetention" | "webhookSecret"> {
  return {
    async create(account) {
      const row = {
        id: account.id,
        username: account.username,
        name: account.name,
        type: account.type,
        github_url: account.githubUrl,
        avatar_url: account.avatarUrl,
        created_at: account.createdAt ?? new Date().toISOString(),
      };
      await db.insertInto("accounts").values(row).execute();
      return toAccount(row);
    },

    async count() {
      const row = await db.selectFrom("accounts").select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async findById(id) {
      const row = await db.selectFrom("accounts").selectAll().where("id", "=", id).executeTakeFirst();
      return row ? toAccount(row) : null;
    },

    async findByUsername(username) {
      const row = await db.selectFrom("accounts").selectAll().where("username", "=", username).executeTakeFirst();
      return row ? toAccount(row) : null;
    },

    async addToken({ accountId, tokenHash, name, createdAt }) {
      const id = newId();
      await db.insertInto("api_tokens").values({ id, account_id: accountId, token_hash: tokenHash, name, created_at: createdAt }).execute();
      return { id, name, createdAt };
    },

    async listTokens(accountId) {
      const rows = await db
        .selectFrom("api_tokens")
        .select(["id", "name", "created_at"])
        .where("account_id", "=", accountId)
        .orderBy("created_at", "asc")
        .orderBy("id", "asc")
        .execute();
      return rows.map((row) => ({ id: row.id, name: row.name, createdAt: row.created_at }));
    },

    async deleteToken(accountId, tokenId) {
      const row = await db
        .deleteFrom("api_tokens")
        .where("account_id", "=", accountId)
        .where("id", "=", tokenId)
        .returning("token_hash")
        .executeTakeFirst();
      return row?.token_hash ?? null;
    },

    async findByTokenHash(tokenHash): Promise<Account | null> {
      const row = await db
        .selectFrom("api_tokens")
        .innerJoin("accounts", "accounts.id", "api_tokens.account_id")
        .selectAll("accounts")
        .where("api_tokens.token_hash", "=", tokenHash)
        .executeTakeFirst();
      return row ? toAccount(row) : null;
    },
  };
}
