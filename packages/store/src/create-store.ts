// The Store factory: opens the configured database, migrates it, and hands back the repositories.
import type { Store } from "@ferry/core";
import { createAccountRepository } from "./account-repository.js";
import { createCollectionRepository, createExampleRepository } from "./catalog-repository.js";
import type { StoreConfig } from "./config.js";
import type { StoreContext } from "./context.js";
import { createDeploymentRepository } from "./deployment-repository.js";
import { createFileRepository } from "./file-repository.js";
import { migrateToLatest } from "./migrations.js";
import { createModelRepository } from "./model-repository.js";
import { openPostgres, openSqlite } from "./open-database.js";
import { createPredictionRepository } from "./prediction-repository.js";
import { createRetentionRepository } from "./retention-repository.js";
import { createSettingsRepository } from "./settings-repository.js";
import { createVersionRepository } from "./version-repository.js";
import { createWebhookRepository } from "./webhook-repository.js";

/** Opens the database, runs pending migrations, and returns the Store. `close()` releases its connections. */
export async function createStore(config: StoreConfig): Promise<Store> {
  const ctx: StoreContext = config.kind === "sqlite" ? openSqlite(config.path) : await openPostgres(config);
  try {
    await migrateToLatest(ctx.db, ctx.dialect, config.kind === "postgres" ? config.schema : undefined);
  } catch (error) {
    await ctx.db.destroy();
    throw error;
  }
  const models = createModelRepository(ctx);
  const retention = createRetentionRepository(ctx);
  const webhooks = createWebhookRepository(ctx);
  return {
    dialect: ctx.dialect,
    accounts: { ...createAccountRepository(ctx), ...retention.accounts, ...webhooks.accounts },
    models,
    versions: createVersionRepository(ctx),
    predictions: { ...createPredictionRepository(ctx), ...retention.predictions },
    settings: createSettingsRepository(ctx),
    collections: createCollectionRepository(ctx),
    examples: createExampleRepository(ctx),
    files: createFileRepository(ctx),
    deployments: createDeploymentRepository(ctx),
    webhooks: webhooks.webhooks,
    async close() {
      // Run counts are written behind (run-counts.ts); the last ones go out before the connections close.
      try {
        await models.flushRunCounts();
      } finally {
        await ctx.db.destroy();
      }
    },
  };
}
