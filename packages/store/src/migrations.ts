// The one list of migrations both engines run, through Kysely's Migrator with an in-code provider.
// Where DDL differs (identity columns, booleans) a migration branches on the dialect.
import { Migrator, sql } from "kysely";
import type { Kysely, Migration, MigrationProvider } from "kysely";
import { SQLITE_BUSY_TIMEOUT_MS } from "./open-database.js";
import type { Dialect } from "./schema.js";

/** How long an opener waits for another connection's SQLite migration to finish. */
const MIGRATION_LOCK_WAIT_MS = 60_000;

interface StoreMigration {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was then, not as it is now
  up(db: Kysely<any>, dialect: Dialect): Promise<void>;
}

/** Ordered by name; never edit a migration that has shipped, add a new one. */
const MIGRATIONS: Record<string, StoreMigration> = {
  "0001_initial": {
    async up(db, dialect) {
      const bool = dialect === "postgres" ? "boolean" : "integer";
      const no = dialect === "postgres" ? sql`false` : sql`0`;

      await db.schema
        .createTable("accounts")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("username", "text", (c) => c.notNull().unique())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("type", "text", (c) => c.notNull())
        .addColumn("github_url", "text")
        .addColumn("avatar_url", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("api_tokens")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .addColumn("token_hash", "text", (c) => c.notNull().unique())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("api_tokens_account").on("api_tokens").column("account_id").execute();

      await db.schema
        .createTable("models")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id"))
        .addColumn("owner", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("description", "text")
        .addColumn("visibility", "text", (c) => c.notNull())
        .addColumn("is_official", sql.raw(bool), (c) => c.notNull().defaultTo(no))
        .addColumn("github_url", "text")
        .addColumn("paper_url", "text")
        .addColumn("license_url", "text")
        .addColumn("weights_url", "text")
        .addColumn("cover_image_url", "text")
        .addColumn("readme", "text")
        .addColumn("hardware", "text", (c) => c.notNull())
        .addColumn("run_count", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("latest_version_id", "text")
        .addColumn("latest_version_created_at", "text")
        .addColumn("default_example_id", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addUniqueConstraint("models_owner_name", ["owner", "name"])
        .execute();
      await db.schema.createIndex("models_account").on("models").column("account_id").execute();
      await db.schema.createIndex("models_created").on("models").columns(["created_at", "id"]).execute();
      await db.schema.createIndex("models_latest_version").on("models").columns(["latest_version_created_at", "id"]).execute();

      await db.schema
        .createTable("versions")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("model_id", "text", (c) => c.notNull().references("models.id"))
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("cog_version", "text")
        .addColumn("openapi_schema", "text", (c) => c.notNull())
        .addColumn("runtime", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("versions_model").on("versions").columns(["model_id", "created_at", "id"]).execute();

      await db.schema
        .createTable("predictions")
        .$call((t) =>
          dialect === "postgres"
            ? t.addColumn("seq", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
            : t.addColumn("seq", "integer", (c) => c.primaryKey().autoIncrement()),
        )
        .addColumn("id", "text", (c) => c.notNull().unique())
        .addColumn("account_id", "text", (c) => c.notNull())
        .addColumn("model_id", "text", (c) => c.notNull())
        .addColumn("model", "text", (c) => c.notNull())
        .addColumn("version_id", "text", (c) => c.notNull())
        .addColumn("input", "text", (c) => c.notNull())
        .addColumn("output", "text")
        .addColumn("logs", "text", (c) => c.notNull().defaultTo(""))
        .addColumn("error", "text")
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("source", "text", (c) => c.notNull())
        .addColumn("data_removed", sql.raw(bool), (c) => c.notNull().defaultTo(no))
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("started_at", "text")
        .addColumn("completed_at", "text")
        .addColumn("deadline", "text")
        .addColumn("metrics", "text")
        .addColumn("webhook", "text")
        .addColumn("webhook_events_filter", "text")
        .addColumn("can_stream", sql.raw(bool), (c) => c.notNull().defaultTo(no))
        .addColumn("lease_owner", "text")
        .addColumn("lease_expires_at", "text")
        .execute();
      // The hot paths, each with the exact predicate its query uses (see prediction-queue.ts).
      const open = sql`status in ('starting', 'processing')`;
      await sql`create index predictions_queue on predictions (version_id, seq) where status = 'starting' and lease_owner is null`.execute(db);
      await db.schema.createIndex("predictions_account").on("predictions").columns(["account_id", "seq"]).execute();
      await sql`create index predictions_deadline on predictions (deadline) where deadline is not null and ${open}`.execute(db);
      await sql`create index predictions_lease_expiry on predictions (lease_expires_at) where lease_owner is not null and ${open}`.execute(db);
      await sql`create index predictions_lease_owner on predictions (lease_owner) where lease_owner is not null and ${open}`.execute(db);
    },
  },
  "0002_settings": {
    async up(db) {
      // Server-wide values every API node must share, such as the key capability URLs are signed with.
      await db.schema
        .createTable("settings")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("value", "text", (c) => c.notNull())
        .execute();
    },
  },
  "0003_webhooks": {
    async up(db, dialect) {
      const bool = dialect === "postgres" ? "boolean" : "integer";
      // Each account signs its webhooks with its own secret, made on first use.
      await db.schema.alterTable("accounts").addColumn("webhook_secret", "text").execute();
      // The outbox: a message is written with the status change it reports (the completed one in the same
      // transaction), and a sender delivers it; webhook_attempts is its delivery log.
      await db.schema
        .createTable("webhook_messages")
        .$call((t) =>
          dialect === "postgres"
            ? t.addColumn("seq", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
            : t.addColumn("seq", "integer", (c) => c.primaryKey().autoIncrement()),
        )
        .addColumn("id", "text", (c) => c.notNull().unique())
        .addColumn("prediction_id", "text", (c) => c.notNull())
        .addColumn("account_id", "text", (c) => c.notNull())
        .addColumn("event", "text", (c) => c.notNull())
        .addColumn("url", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("durable", sql.raw(bool), (c) => c.notNull())
        .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("next_attempt_at", "text")
        .addColumn("last_status_code", "integer")
        .addColumn("last_error", "text")
        .addColumn("body", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("delivered_at", "text")
        .execute();
      // The sender's claim query (webhook-repository.ts) uses exactly this predicate.
      await sql`create index webhook_messages_due on webhook_messages (next_attempt_at, seq) where status = 'pending'`.execute(db);
      await db.schema.createIndex("webhook_messages_prediction").on("webhook_messages").columns(["prediction_id", "seq"]).execute();
      await db.schema
        .createTable("webhook_attempts")
        .addColumn("message_id", "text", (c) => c.notNull().references("webhook_messages.id").onDelete("cascade"))
        .addColumn("attempt", "integer", (c) => c.notNull())
        .addColumn("at", "text", (c) => c.notNull())
        .addColumn("status_code", "integer")
        .addColumn("error", "text")
        .addColumn("duration_ms", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("webhook_attempts_pk", ["message_id", "attempt"])
        .execute();
    },
  },
  "0004_files": {
    async up(db) {
      // Files-API uploads and models' output files; their bytes live in the blob store under blob_key.
      await db.schema
        .createTable("files")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("prediction_id", "text")
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("content_type", "text", (c) => c.notNull())
        .addColumn("size", "bigint", (c) => c.notNull())
        .addColumn("sha256", "text", (c) => c.notNull())
        .addColumn("md5", "text", (c) => c.notNull())
        .addColumn("metadata", "text", (c) => c.notNull())
        .addColumn("blob_key", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("expires_at", "text")
        .execute();
      await db.schema.createIndex("files_account").on("files").columns(["account_id", "kind", "created_at", "id"]).execute();
      await sql`create index files_expiry on files (expires_at) where expires_at is not null`.execute(db);
      await sql`create index files_prediction on files (prediction_id) where prediction_id is not null`.execute(db);
    },
  },
  "0005_retention": {
    async up(db, dialect) {
      const bool = dialect === "postgres" ? "boolean" : "integer";
      const no = dialect === "postgres" ? sql`false` : sql`0`;
      // Seconds an account's API predictions keep their data once ended: null = the server default, -1 = forever.
      await db.schema.alterTable("accounts").addColumn("data_retention_seconds", "integer").execute();
      // Set when a prediction ends; the retention sweeper empties its data once it passes, then clears it.
      await db.schema.alterTable("predictions").addColumn("data_expires_at", "text").execute();
      // Whether stream output events are file URLs, so urls.stream lives under /v1/files/ (spec §5.1).
      await db.schema
        .alterTable("predictions")
        .addColumn("streams_files", sql.raw(bool), (c) => c.notNull().defaultTo(no))
        .execute();
      await sql`create index predictions_data_expiry on predictions (data_expires_at) where data_expires_at is not null`.execute(db);
    },
  },
  "0006_catalog": {
    async up(db) {
      // A model's catalog entry: search tags (JSON array), pricing (JSON {unit, priceUsd}), the documented bound of
      // an instance's memory, and why it cannot run here (null when it can).
      await db.schema.alterTable("models").addColumn("tags", "text", (c) => c.notNull().defaultTo("[]")).execute();
      await db.schema.alterTable("models").addColumn("pricing", "text").execute();
      await db.schema.alterTable("models").addColumn("memory_mb", "integer").execute();
      await db.schema.alterTable("models").addColumn("unavailable_reason", "text").execute();
      // Curated groups of models (GET /v1/collections), each with its models in order.
      await db.schema
        .createTable("collections")
        .addColumn("slug", "text", (c) => c.primaryKey())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("description", "text", (c) => c.notNull())
        .addColumn("full_description", "text")
        .addColumn("position", "integer", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("collection_models")
        .addColumn("collection_slug", "text", (c) => c.notNull().references("collections.slug").onDelete("cascade"))
        .addColumn("model_id", "text", (c) => c.notNull().references("models.id").onDelete("cascade"))
        .addColumn("position", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("collection_models_pk", ["collection_slug", "model_id"])
        .execute();
      // Predictions a model's owner saved as its examples, one per example name (GET /v1/models/{o}/{n}/examples).
      await db.schema
        .createTable("model_examples")
        .addColumn("model_id", "text", (c) => c.notNull().references("models.id").onDelete("cascade"))
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("prediction_id", "text", (c) => c.notNull())
        .addColumn("position", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("model_examples_pk", ["model_id", "name"])
        .execute();
    },
  },
  "0008_scheduling": {
    async up(db) {
      // Every prediction's phases (queued, booting, running, retrying, …) as a JSON array, written with the
      // status changes that carry them; and which try it is on (null reads as 1: rows from before retries).
      await db.schema.alterTable("predictions").addColumn("timeline", "text").execute();
      await db.schema.alterTable("predictions").addColumn("attempt", "integer").execute();
    },
  },
  "0007_deployments": {
    async up(db, dialect) {
      const bool = dialect === "postgres" ? "boolean" : "integer";
      const no = dialect === "postgres" ? sql`false` : sql`0`;
      // A deployment is a name plus the number of its current release; releases are never changed once made.
      await db.schema
        .createTable("deployments")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
        .addColumn("owner", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("current_release", "integer", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addUniqueConstraint("deployments_owner_name", ["owner", "name"])
        .execute();
      await db.schema.createIndex("deployments_account").on("deployments").columns(["account_id", "created_at", "id"]).execute();
      await db.schema
        .createTable("deployment_releases")
        .addColumn("deployment_id", "text", (c) => c.notNull().references("deployments.id").onDelete("cascade"))
        .addColumn("number", "integer", (c) => c.notNull())
        .addColumn("model_id", "text", (c) => c.notNull())
        .addColumn("model", "text", (c) => c.notNull())
        .addColumn("version_id", "text", (c) => c.notNull())
        .addColumn("hardware", "text", (c) => c.notNull())
        .addColumn("min_instances", "integer", (c) => c.notNull())
        .addColumn("max_instances", "integer", (c) => c.notNull())
        .addColumn("max_queue", "integer")
        .addColumn("fallback", "text")
        .addColumn("retry_crashed", sql.raw(bool), (c) => c.notNull().defaultTo(no))
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("created_by", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("deployment_releases_pk", ["deployment_id", "number"])
        .execute();
      // "owner/name" of the deployment a prediction was made through (and of the one a fallback stood in for).
      await db.schema.alterTable("predictions").addColumn("deployment", "text").execute();
      await db.schema.alterTable("predictions").addColumn("fallback_from", "text").execute();
      // Counting a deployment's queue (the 429 check) reads only its queued rows; usage reads its history.
      await sql`create index predictions_deployment_queue on predictions (deployment) where status = 'starting'`.execute(db);
      await sql`create index predictions_deployment on predictions (deployment, seq) where deployment is not null`.execute(db);
    },
  },
};

function provider(dialect: Dialect): MigrationProvider {
  return {
    getMigrations: () =>
      Promise.resolve(
        Object.fromEntries(
          Object.entries(MIGRATIONS).map(([name, m]): [string, Migration] => [name, { up: (db) => m.up(db, dialect) }]),
        ),
      ),
  };
}

/**
 * Brings the database to the latest migration. Safe to run again, and from several connections or processes
 * at once: PostgreSQL through Kysely's advisory lock, SQLite by migrating inside one BEGIN IMMEDIATE.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the migrator works on any schema
export async function migrateToLatest(db: Kysely<any>, dialect: Dialect, schema?: string): Promise<void> {
  if (dialect === "postgres") return migrate(db, dialect, { ...(schema === undefined ? {} : { migrationTableSchema: schema }) });
  // Kysely takes no lock on SQLite; holding the write lock from the start makes a second opener wait, then
  // find the migrations already applied.
  await beginImmediate(db);
  try {
    await migrate(db, dialect, { disableTransactions: true });
    await sql`commit`.execute(db);
  } catch (error) {
    await sql`rollback`.execute(db).catch(() => undefined);
    throw error;
  }
}

async function migrate(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
  db: Kysely<any>,
  dialect: Dialect,
  options: { migrationTableSchema?: string; disableTransactions?: boolean },
): Promise<void> {
  const { error } = await new Migrator({ db, provider: provider(dialect), ...options }).migrateToLatest();
  if (error !== undefined) throw error instanceof Error ? error : new Error(String(error));
}

/**
 * better-sqlite3 waits for a lock synchronously, which would also stall an opener in this same process that
 * holds the lock; so wait without blocking: fail fast and retry on a timer.
 */
async function beginImmediate(db: Kysely<unknown>): Promise<void> {
  const giveUpAt = Date.now() + MIGRATION_LOCK_WAIT_MS;
  await sql`pragma busy_timeout = 0`.execute(db);
  try {
    for (;;) {
      try {
        await sql`begin immediate`.execute(db);
        return;
      } catch (error) {
        const busy = String((error as { code?: unknown }).code).startsWith("SQLITE_BUSY");
        if (!busy || Date.now() > giveUpAt) throw error;
        await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40));
      }
    }
  } finally {
    await sql.raw(`pragma busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`).execute(db);
  }
}
