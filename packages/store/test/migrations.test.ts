// Contract: opening a database migrates it once; opening it again (or several times at once) changes nothing.
import Sqlite from "better-sqlite3";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { aPrediction, seedVersion } from "./support/fixtures.js";
import { POSTGRES_TEST_URL, STORE_FACTORIES } from "./support/store-factories.js";
import { useStore } from "./support/use-store.js";

const TABLES = [
  "accounts",
  "api_tokens",
  "collection_models",
  "collections",
  "deployment_releases",
  "deployments",
  "files",
  "kysely_migration",
  "kysely_migration_lock",
  "model_examples",
  "models",
  "predictions",
  "settings",
  "versions",
  "webhook_attempts",
  "webhook_messages",
];

describe.each(STORE_FACTORIES)("migrations on $name", (factory) => {
  it("migrates a fresh database once when several stores open it at the same time", async () => {
    const database = await factory.create();
    try {
      const stores = await Promise.all(Array.from({ length: 4 }, () => database.open()));
      for (const store of stores) expect(await store.accounts.count()).toBe(0);
      const [first, second] = stores;
      const { account } = await seedVersion(first!);
      expect(await second!.accounts.findById(account.id)).toEqual(account);
    } finally {
      await database.dispose();
    }
  });

  describe("on a database already open", () => {
    const t = useStore(factory);

    it("opens an already migrated database again and keeps its data", async () => {
      const { account, version } = await seedVersion(t.store);
      const prediction = await t.store.predictions.insert(aPrediction(version, account.id));
      await t.store.close();
      const again = await t.database.open();
      expect(await again.predictions.get(prediction.id)).toEqual(prediction);
      expect(await again.accounts.count()).toBe(1);
      expect(again.dialect).toBe(factory.name);
    });

    it("survives several stores opening the same database at once", async () => {
      const stores = await Promise.all([t.database.open(), t.database.open(), t.database.open()]);
      for (const store of stores) expect(await store.accounts.count()).toBe(0);
    });

    if (factory.name === "sqlite") {
      it("puts the SQLite file in WAL mode with every table present", async () => {
        const path = t.database.config.kind === "sqlite" ? t.database.config.path : "";
        const raw = new Sqlite(path, { readonly: true });
        try {
          expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
          const names = raw.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name").pluck().all();
          expect(names).toEqual(TABLES);
        } finally {
          raw.close();
        }
      });
    } else {
      it("keeps every table, migration bookkeeping included, inside the configured schema", async () => {
        const schema = t.database.config.kind === "postgres" ? t.database.config.schema : "";
        const client = new pg.Client({ connectionString: POSTGRES_TEST_URL });
        await client.connect();
        try {
          const { rows } = await client.query<{ table_name: string }>(
            "select table_name from information_schema.tables where table_schema = $1 order by table_name",
            [schema],
          );
          expect(rows.map((r) => r.table_name)).toEqual(TABLES);
        } finally {
          await client.end();
        }
      });
    }
  });
});
