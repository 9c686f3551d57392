// Which database a Store opens: SQLite in the data folder by default, PostgreSQL when DATABASE_URL says so.
import { mkdirSync } from "node:fs";
import { join } from "node:path";

/** SQLite at a file path, or PostgreSQL at a connection URL (optionally inside one schema). */
export type StoreConfig =
  | { kind: "sqlite"; path: string }
  | { kind: "postgres"; url: string; schema?: string; poolSize?: number };

/**
 * Maps a DATABASE_URL to a StoreConfig. Unset (or blank) means SQLite at `<dataDir>/ferry.db`, creating
 * `dataDir` if needed; `postgres://…` and `postgresql://…` mean PostgreSQL. Anything else is an error.
 */
export function storeConfigFromUrl(databaseUrl: string | undefined, dataDir: string): StoreConfig {
  const url = databaseUrl?.trim() ?? "";
  if (url === "") {
    mkdirSync(dataDir, { recursive: true });
    return { kind: "sqlite", path: join(dataDir, "ferry.db") };
  }
  if (/^postgres(ql)?:\/\//i.test(url)) return { kind: "postgres", url };
  throw new Error(`Unsupported database URL scheme in "${url.split(":")[0]}:…": use postgres:// or postgresql://, or leave it unset for SQLite`);
}
