// The Store factory: opens the configured database, migrates it, and hands back the repositories.
import type { Store } from "@ferry/core";
import { createAccountRepository } from "./account-repository.js";
import type { StoreConfig } from "./config.js";
import type { StoreContext } from "./context.js";
import { migrateToLatest } from "./migrations.js";
import { createModelRepository } from "./model-repository.js";
import { openPostgres, openSqlite } from "./open-database.js";
import { createPredictionRepository } from "./prediction-repository.js";
import { createVersionRepository } from "./version-repository.js";

/** Opens the database, runs pending migrations, and returns the Store. `close()` releases its connections. */
export async function createStore(config: StoreConfig): Promise<Store> {
  const ctx: StoreContext = config.kind === "sqlite" ? openSqlite(config.path) : await openPostgres(config);
  try {
    await migrateToLatest(ctx.db, ctx.dialect, config.kind === "postgres" ? config.schema : undefined);
  } catch (error) {
    await ctx.db.destroy();
    throw error;
  }
  return {
    dialect: ctx.dialect,
    accounts: createAccountRepository(ctx),
    models: createModelRepository(ctx),
    versions: createVersionRepository(ctx),
    predictions: createPredictionRepository(ctx),
    close: () => ctx.db.destroy(),
  };
}
