// Group commit for SQLite: writes queued during one turn of the event loop run together in one transaction at
// the end of it, so N concurrent writes cost one WAL commit instead of N. A caller learns of its write only
// after that commit (nothing is visible before it is durable), and the write lock is held only while the
// queued statements run, so other processes on the same file still get their turns.
import type { Database as SqliteDatabase, Statement } from "better-sqlite3";
import { CompiledQuery, SqliteDialect } from "kysely";
import type { DatabaseConnection, Driver, QueryResult } from "kysely";
import { withStatementCache } from "./statement-cache.js";
import type { StatementCache } from "./statement-cache.js";

interface QueuedWrite {
  statement: Statement;
  parameters: readonly unknown[];
  resolve(result: QueryResult<unknown>): void;
  reject(error: unknown): void;
}

/** Reads and writes; anything else (DDL, pragmas, a caller's own BEGIN/COMMIT) runs after the queue, on its own. */
const DML = /^\s*(select|insert|update|delete|with|replace)\b/i;

/** Kysely's SqliteDialect with the group-commit driver below; everything else (compiler, adapter) is Kysely's. */
export class GroupCommitSqliteDialect extends SqliteDialect {
  readonly #database: SqliteDatabase;

  constructor(database: SqliteDatabase) {
    super({ database });
    this.#database = database;
  }

  override createDriver(): Driver {
    return new GroupCommitDriver(this.#database);
  }
}

class GroupCommitConnection implements DatabaseConnection {
  constructor(private readonly driver: GroupCommitDriver) {}

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    return this.driver.execute<R>(this, compiledQuery);
  }

  // eslint-disable-next-line require-yield -- the store never streams; this only keeps Kysely's contract
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("The SQLite store does not stream queries");
  }
}

/**
 * Reads run at once (SQLite runs each statement to completion synchronously; a read never sees a queued write,
 * whose caller has not been told of it yet). Writes are queued and run in order in one BEGIN IMMEDIATE … COMMIT
 * on setImmediate, so each compare-and-set sees every write queued before it. Explicit transactions (Kysely's
 * transaction()) run the queue first and hold the database alone until they end; a caller's raw BEGIN runs
 * the queue first too, and its statements run directly until its COMMIT or ROLLBACK.
 */
class GroupCommitDriver implements Driver {
  readonly #raw: SqliteDatabase;
  readonly #statements: StatementCache;
  #queue: QueuedWrite[] = [];
  #owner: GroupCommitConnection | null = null;
  #ownerReleased: Promise<void> | null = null;
  #release: (() => void) | null = null;

  constructor(raw: SqliteDatabase) {
    this.#raw = raw;
    this.#statements = withStatementCache(raw);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new GroupCommitConnection(this);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    // Checked again after every wait, with no await between the check and taking ownership: two transactions
    // that start together must not both see the database free.
    while (this.#owner !== null && this.#owner !== connection) await this.#untilFree(connection);
    this.#owner = connection as GroupCommitConnection;
    this.#ownerReleased = new Promise((resolve) => (this.#release = resolve));
    this.flush();
    this.#run(this.#statements.prepare("begin"), []);
  }

  async commitTransaction(): Promise<void> {
    this.#run(this.#statements.prepare("commit"), []);
  }

  async rollbackTransaction(): Promise<void> {
    if (this.#raw.inTransaction) this.#run(this.#statements.prepare("rollback"), []);
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await this.#savepointCommand(connection, "savepoint", name);
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await this.#savepointCommand(connection, "rollback to", name);
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await this.#savepointCommand(connection, "release", name);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    if (this.#owner !== connection) return;
    this.#owner = null;
    this.#ownerReleased = null;
    this.#release?.();
    this.#release = null;
  }

  async destroy(): Promise<void> {
    this.flush();
    this.#statements.close();
  }

  async execute<R>(connection: GroupCommitConnection, compiled: CompiledQuery): Promise<QueryResult<R>> {
    while (this.#owner !== null && this.#owner !== connection) await this.#untilFree(connection);
    const statement = this.#statements.prepare(compiled.sql);
    if (this.#owner === connection) return this.#run<R>(statement, compiled.parameters);
    if (!DML.test(compiled.sql)) {
      this.flush();
      return this.#run<R>(statement, compiled.parameters);
    }
    if (this.#raw.inTransaction || statement.readonly) return this.#run<R>(statement, compiled.parameters);
    return new Promise<QueryResult<R>>((resolve, reject) => {
      this.#queue.push({ statement, parameters: compiled.parameters, resolve: resolve as QueuedWrite["resolve"], reject });
      if (this.#queue.length === 1) setImmediate(() => this.flush());
    });
  }

  /** Runs every queued write in one transaction, then settles each caller: its result, or its error. */
  flush(): void {
    const batch = this.#queue;
    if (batch.length === 0) return;
    this.#queue = [];
    try {
      this.#statements.prepare("begin immediate").run();
    } catch (error) {
      for (const write of batch) write.reject(error);
      return;
    }
    const outcomes: ({ ok: true; result: QueryResult<unknown> } | { ok: false; error: unknown })[] = [];
    for (const write of batch) {
      try {
        outcomes.push({ ok: true, result: this.#run(write.statement, write.parameters) });
      } catch (error) {
        // Most errors undo only their statement; some (disk full, I/O) roll the whole transaction back.
        outcomes.push({ ok: false, error });
        if (!this.#raw.inTransaction) return this.#rejectAll(batch, error);
      }
    }
    try {
      this.#statements.prepare("commit").run();
    } catch (error) {
      if (this.#raw.inTransaction) this.#statements.prepare("rollback").run();
      return this.#rejectAll(batch, error);
    }
    batch.forEach((write, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) write.resolve(outcome.result);
      else write.reject(outcome.error);
    });
  }

  #rejectAll(batch: QueuedWrite[], error: unknown): void {
    for (const write of batch) write.reject(error);
  }

  async #untilFree(connection: DatabaseConnection): Promise<void> {
    while (this.#owner !== null && this.#owner !== connection) await this.#ownerReleased;
  }

  async #savepointCommand(connection: DatabaseConnection, command: string, name: string): Promise<void> {
    await this.execute(connection as GroupCommitConnection, CompiledQuery.raw(`${command} "${name.replaceAll('"', '""')}"`));
  }

  #run<R>(statement: Statement, parameters: readonly unknown[]): QueryResult<R> {
    if (statement.reader) return { rows: statement.all(parameters) as R[] };
    const { changes, lastInsertRowid } = statement.run(parameters);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }
}
