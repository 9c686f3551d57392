// Opens a Kysely instance on either engine with the connection settings Ferry relies on.
import Sqlite from "better-sqlite3";
import pg from "pg";
import { Kysely, PostgresDialect } from "kysely";
import type { StoreConfig } from "./config.js";
import type { StoreContext } from "./context.js";
import type { Database } from "./schema.js";
import { GroupCommitSqliteDialect } from "./sqlite-group-commit.js";

/** How long a SQLite statement waits for another connection's write lock. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function openSqlite(path: string): StoreContext {
  const database = new Sqlite(path);
  // WAL lets readers run beside the one writer; NORMAL is durable across process crashes in WAL mode.
  database.pragma("journal_mode = WAL");
  database.pragma("synchronous = NORMAL");
  database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  database.pragma("foreign_keys = ON");
  return { db: new Kysely<Database>({ dialect: new GroupCommitSqliteDialect(database) }), dialect: "sqlite" };
}

export async function openPostgres(config: Extract<StoreConfig, { kind: "postgres" }>): Promise<StoreContext> {
  const { url, schema, poolSize } = config;
  if (schema !== undefined) {
    if (!SCHEMA_NAME.test(schema)) throw new Error(`Invalid PostgreSQL schema name "${schema}"`);
    await createSchema(url, schema);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize ?? 10,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  // An idle connection dropped by the server is only discarded; the next query opens a new one. Without a
  // listener the pool's "error" event would end the process.
  pool.on("error", () => undefined);
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), dialect: "postgres" };
}

async function createSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`create schema if not exists "${schema}"`);
  } catch (error) {
    // Two processes creating the same schema at once: the loser sees a duplicate, and the schema exists.
    const code = (error as { code?: string }).code;
    if (code !== "23505" && code !== "42P06") throw error;
  } finally {
    await client.end();
  }
}
