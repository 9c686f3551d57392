// One real server on a fresh database of a given kind for the enclosing describe block: created before its tests,
// stopped and dropped after them. What most end-to-end files need, on SQLite and PostgreSQL alike.
import type Replicate from "replicate";
import { afterAll, beforeAll } from "vitest";
import { clientFor } from "./client.js";
import { createTestDatabase, type DatabaseKind, type TestDatabase } from "./databases.js";
import { removeDataDir, startServer, type RunningServer, type ServerOptions } from "./server.js";

export interface ServerOnDatabase {
  readonly database: TestDatabase;
  readonly server: RunningServer;
  /** The official client, pointed at the server with its token. */
  readonly replicate: Replicate;
}

export function useServerOn(kind: DatabaseKind, options: Omit<ServerOptions, "databaseUrl"> = {}): ServerOnDatabase {
  let database: TestDatabase | undefined;
  let server: RunningServer | undefined;
  let replicate: Replicate | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await startServer({ ...options, databaseUrl: database.url });
    replicate = clientFor(server);
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
    if (server) removeDataDir(server.dataDir);
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the server is not started: use it inside a test or a later hook");
    return value;
  };
  return {
    get database() {
      return ready(database);
    },
    get server() {
      return ready(server);
    },
    get replicate() {
      return ready(replicate);
    },
  };
}
