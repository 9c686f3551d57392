// Query templates: a query is built and compiled once per shape and later calls bind their own values to that
// SQL; a value Kysely does not pass through as a parameter is never templated.
import { Kysely, sql } from "kysely";
import { describe, expect, it } from "vitest";
import Sqlite from "better-sqlite3";
import { GroupCommitSqliteDialect } from "../src/sqlite-group-commit.js";
import { createQueryTemplates } from "../src/query-templates.js";

interface Db {
  items: { id: number; name: string; kind: string };
}

const db = new Kysely<Db>({ dialect: new GroupCommitSqliteDialect(new Sqlite(":memory:")) });

describe("query templates", () => {
  it("builds a shape once and binds each call's values to the same SQL", () => {
    const templates = createQueryTemplates();
    let builds = 0;
    const update = (values: { name: string; $id: number }) =>
      templates.compile("rename", values, ({ name, $id }) => {
        builds += 1;
        return db.updateTable("items").set({ name }).where("id", "=", $id).where("kind", "=", "fixed");
      });

    const first = update({ name: "a", $id: 1 });
    const second = update({ name: "b", $id: 2 });

    expect(builds).toBe(1);
    expect(second.sql).toBe(first.sql);
    expect(first.parameters).toEqual(["a", 1, "fixed"]);
    expect(second.parameters).toEqual(["b", 2, "fixed"]);
    expect(second.sql).toBe(db.updateTable("items").set({ name: "b" }).where("id", "=", 2).where("kind", "=", "fixed").compile().sql);
  });

  it("compiles a query anew when a value is inlined into the SQL instead of passed as a parameter", () => {
    const templates = createQueryTemplates();
    const select = (kind: string) =>
      templates.compile("by kind", { kind }, (values) => db.selectFrom("items").select("id").where("kind", "=", sql.lit(values.kind)));

    expect(select("x").sql).toContain("'x'");
    expect(select("y").sql).toContain("'y'");
  });

  it("keeps a different template for each set of keys", () => {
    const templates = createQueryTemplates();
    const set = (values: Partial<Db["items"]>) => templates.compile("set", values, (v) => db.updateTable("items").set(v));

    expect(set({ name: "n" }).sql).toBe('update "items" set "name" = ?');
    expect(set({ name: "n", kind: "k" }).sql).toBe('update "items" set "name" = ?, "kind" = ?');
    expect(set({ name: "m" }).parameters).toEqual(["m"]);
  });
});
