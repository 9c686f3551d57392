// The engines the contract suite runs against. Each factory hands out a fresh, empty database that any
// number of Store instances can open, and removes it afterwards (see Kysely's test-setup, Hono's router cases).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { Store } from "@ferry/core";
import { createStore } from "@ferry/store";
import type { StoreConfig } from "@ferry/store";

/** The PostgreSQL server the suite uses; every run works in a schema of its own. */
export const POSTGRES_TEST_URL = process.env.FERRY_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface TestDatabase {
  config: StoreConfig;
  /** Opens one more Store (own connections) on the same database; it is closed by dispose(). */
  open(options?: { poolSize?: number }): Promise<Store>;
  dispose(): Promise<void>;
}

export interface StoreFactory {
  name: Store["dialect"];
  create(): Promise<TestDatabase>;
}

function tracked(config: StoreConfig, drop: () => Promise<void>): TestDatabase {
  const stores: Store[] = [];
  return {
    config,
    async open(options) {
      const store = await createStore(config.kind === "postgres" && options?.poolSize ? { ...config, poolSize: options.poolSize } : config);
      stores.push(store);
      return store;
    },
    async dispose() {
      await Promise.all(stores.splice(0).map((s) => s.close()));
      await drop();
    },
  };
}

export const sqliteFactory: StoreFactory = {
  name: "sqlite",
  create() {
    const dir = mkdtempSync(join(tmpdir(), "ferry-store-"));
    return Promise.resolve(
      tracked({ kind: "sqlite", path: join(dir, "ferry.db") }, () => {
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      }),
    );
  },
};

export const postgresFactory: StoreFactory = {
  name: "postgres",
  create() {
    const schema = `ferry_test_${process.pid}_${randomBytes(4).toString("hex")}`;
    return Promise.resolve(
      tracked({ kind: "postgres", url: POSTGRES_TEST_URL, schema, poolSize: 4 }, async () => {
        const client = new pg.Client({ connectionString: POSTGRES_TEST_URL });
        await client.connect();
        try {
          await client.query(`drop schema if exists "${schema}" cascade`);
        } finally {
          await client.end();
        }
      }),
    );
  },
};

export const STORE_FACTORIES: StoreFactory[] = [sqliteFactory, postgresFactory];
