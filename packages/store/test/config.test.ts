// storeConfigFromUrl: which database DATABASE_URL selects.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { storeConfigFromUrl } from "@ferry/store";

describe("storeConfigFromUrl", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("chooses SQLite at <dataDir>/ferry.db when the URL is unset or blank, creating the folder", () => {
    const root = mkdtempSync(join(tmpdir(), "ferry-config-"));
    dirs.push(root);
    const dataDir = join(root, "nested", ".ferry");
    expect(storeConfigFromUrl(undefined, dataDir)).toEqual({ kind: "sqlite", path: join(dataDir, "ferry.db") });
    expect(existsSync(dataDir)).toBe(true);
    expect(storeConfigFromUrl("  ", dataDir)).toEqual({ kind: "sqlite", path: join(dataDir, "ferry.db") });
  });

  it("chooses PostgreSQL for postgres:// and postgresql:// URLs", () => {
    expect(storeConfigFromUrl("postgres://u:p@db:5432/ferry", "/unused")).toEqual({ kind: "postgres", url: "postgres://u:p@db:5432/ferry" });
    expect(storeConfigFromUrl("postgresql://db/ferry?sslmode=require", "/unused")).toEqual({
      kind: "postgres",
      url: "postgresql://db/ferry?sslmode=require",
    });
  });

  it("rejects any other scheme without echoing credentials", () => {
    expect(() => storeConfigFromUrl("mysql://root:secret@db/ferry", "/unused")).toThrow(/postgres:\/\//);
    expect(() => storeConfigFromUrl("mysql://root:secret@db/ferry", "/unused")).not.toThrow(/secret/);
  });
});
