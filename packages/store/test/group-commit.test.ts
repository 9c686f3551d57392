// SQLite group commit: writes made together share one commit, each caller learns of its write only once it is
// committed, one failing statement fails only its caller, and explicit transactions keep other writes out.
import Sqlite from "better-sqlite3";
import { Kysely } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Store } from "@ferry/core";
import { createStore } from "../src/index.js";
import { GroupCommitSqliteDialect } from "../src/sqlite-group-commit.js";
import { aPrediction, seedVersion } from "./support/fixtures.js";

let dir: string;
let path: string;
let store: Store;
/** A second connection, as another process would have: it sees only committed data. */
let observer: Sqlite.Database;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "ferry-group-commit-"));
  path = join(dir, "ferry.db");
  store = await createStore({ kind: "sqlite", path });
  observer = new Sqlite(path);
});

afterEach(async () => {
  observer.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Bumped by SQLite once for every transaction another connection commits. */
const commits = (): number => observer.pragma("data_version", { simple: true }) as number;
const stored = (id: string): unknown => observer.prepare("select status from predictions where id = ?").get(id);

describe("group commit on SQLite", () => {
  it("commits writes made together in one transaction and gives each caller its own result", async () => {
    const { version, account } = await seedVersion(store);
    const predictions = Array.from({ length: 10 }, () => aPrediction(version, account.id));
    const before = commits();

    const inserted = await Promise.all(predictions.map((p) => store.predictions.insert(p)));

    expect(commits() - before).toBe(1);
    expect(inserted.map((p) => p.id)).toEqual(predictions.map((p) => p.id));
    const updated = await Promise.all(predictions.map((p, i) => store.predictions.update(p.id, i % 2 === 0 ? "starting" : "processing", { status: "canceled" })));
    expect(updated.map((p) => p?.status ?? null)).toEqual(predictions.map((_, i) => (i % 2 === 0 ? "canceled" : null)));
    expect(commits() - before).toBe(2);
  });

  it("tells a caller of its write only once it is committed", async () => {
    const { version, account } = await seedVersion(store);
    const prediction = aPrediction(version, account.id);

    const pending = store.predictions.insert(prediction);
    expect(stored(prediction.id)).toBeUndefined();
    await pending;
    expect(stored(prediction.id)).toEqual({ status: "starting" });
  });

  it("fails only the caller whose statement failed; the others' writes are committed", async () => {
    const { version, account } = await seedVersion(store);
    const first = aPrediction(version, account.id);
    await store.predictions.insert(first);
    const second = aPrediction(version, account.id);

    const [duplicate, fresh] = await Promise.allSettled([store.predictions.insert(first), store.predictions.insert(second)]);

    expect(duplicate.status).toBe("rejected");
    expect(fresh.status).toBe("fulfilled");
    expect(stored(second.id)).toEqual({ status: "starting" });
  });

  it("runs each compare-and-set against the writes queued before it", async () => {
    const { version, account } = await seedVersion(store);
    const prediction = aPrediction(version, account.id);
    await store.predictions.insert(prediction);

    const [started, again, done] = await Promise.all([
      store.predictions.update(prediction.id, "starting", { status: "processing", startedAt: "2025-01-01T00:00:01.000Z" }),
      store.predictions.update(prediction.id, "starting", { status: "processing" }),
      store.predictions.update(prediction.id, "processing", { status: "succeeded", output: "ok" }),
    ]);

    expect(started?.status).toBe("processing");
    expect(again).toBeNull();
    expect(done).toMatchObject({ status: "succeeded", output: "ok", startedAt: "2025-01-01T00:00:01.000Z" });
  });
});

describe("explicit transactions through the group-commit dialect", () => {
  interface Db {
    items: { id: number; name: string };
  }
  let db: Kysely<Db>;

  beforeEach(async () => {
    db = new Kysely<Db>({ dialect: new GroupCommitSqliteDialect(new Sqlite(join(dir, "items.db"))) });
    await db.schema.createTable("items").addColumn("id", "integer", (c) => c.primaryKey()).addColumn("name", "text").execute();
  });

  afterEach(async () => {
    await db.destroy();
  });

  it("keeps a plain write out of a transaction until it commits, and a rollback undoes only the transaction", async () => {
    const order: string[] = [];
    let plain: Promise<unknown> = Promise.resolve();
    await expect(
      db.transaction().execute(async (tx) => {
        await tx.insertInto("items").values({ id: 1, name: "in transaction" }).execute();
        plain = db.insertInto("items").values({ id: 2, name: "plain" }).execute().then(() => order.push("plain"));
        await new Promise((resolve) => setTimeout(resolve, 20));
        order.push("transaction");
        throw new Error("roll it back");
      }),
    ).rejects.toThrow("roll it back");
    await plain;

    expect(order).toEqual(["transaction", "plain"]);
    expect(await db.selectFrom("items").select(["id", "name"]).execute()).toEqual([{ id: 2, name: "plain" }]);
  });
});
