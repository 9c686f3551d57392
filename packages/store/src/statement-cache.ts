// Kysely's SQLite driver prepares every statement again on each query; preparing is a large part of a hot
// query's cost. The store's driver (sqlite-group-commit.ts) prepares through this cache instead.
import type { Database as SqliteDatabase, Statement } from "better-sqlite3";

/** How many distinct SQL texts keep a prepared statement (queries with `in (…)` lists make a few per length). */
export const STATEMENT_CACHE_SIZE = 256;

export interface StatementCache {
  prepare(sql: string): Statement;
  /** Drops the statements and closes the database. */
  close(): void;
}

/**
 * Wraps `database` so prepare(sql) returns a cached Statement for each SQL text, the least recently used
 * evicted past `size`. Safe because better-sqlite3 runs each statement to completion synchronously, so no
 * two queries ever use one Statement at the same time.
 */
export function withStatementCache(database: SqliteDatabase, size = STATEMENT_CACHE_SIZE): StatementCache {
  const statements = new Map<string, Statement>();
  return {
    prepare(sql) {
      let statement = statements.get(sql);
      if (statement !== undefined) {
        // Re-inserted so the Map's order is least recently used first.
        statements.delete(sql);
        statements.set(sql, statement);
        return statement;
      }
      statement = database.prepare(sql);
      statements.set(sql, statement);
      if (statements.size > size) {
        const oldest = statements.keys().next();
        if (oldest.done !== true) statements.delete(oldest.value);
      }
      return statement;
    },
    close() {
      statements.clear();
      database.close();
    },
  };
}
