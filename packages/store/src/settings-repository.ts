// Server-wide settings (e.g. the capability signing key): insert-if-missing, then read, so racing nodes agree.
import type { SettingsRepository } from "@ferry/core";
import type { StoreContext } from "./context.js";

export function createSettingsRepository(ctx: StoreContext): SettingsRepository {
  return {
    async getOrCreate(key, create) {
      await ctx.db
        .insertInto("settings")
        .values({ key, value: create() })
        .onConflict((oc) => oc.column("key").doNothing())
        .execute();
      const row = await ctx.db.selectFrom("settings").select("value").where("key", "=", key).executeTakeFirstOrThrow();
      return row.value;
    },
  };
}
