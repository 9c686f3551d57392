// Accounts (bootstrap, token authentication) and the model catalog with its visibility rules.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hashToken, versionIdOf } from "@ferry/core";
import type { Store } from "@ferry/core";
import { createEngine } from "../src/index.js";
import { createFakeClock } from "./support/fake-clock.js";
import { cogSchema, createEngineFixture, openTestStore, STRING_OUTPUT } from "./support/engine-fixture.js";
import type { EngineFixture } from "./support/engine-fixture.js";

describe("bootstrap and authentication", () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ store, cleanup } = await openTestStore());
  });
  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  it("creates exactly one user account and a token that authenticates", async () => {
    const engine = createEngine({ store });
    const first = await engine.accounts.bootstrap({ username: "admin" });
    expect(first.account).toMatchObject({ username: "admin", type: "user" });
    expect(first.token).toMatch(/^r8_[A-Za-z0-9]{37}$/);
    const again = await engine.accounts.bootstrap({ username: "admin" });
    expect(again).toEqual({ account: first.account, token: null });
    expect(await store.accounts.count()).toBe(1);
    expect(await engine.accounts.authenticate(first.token!)).toEqual(first.account);
    expect(await engine.accounts.authenticate("r8_wrong")).toBeNull();
  });

  it("uses the configured token, and keeps a changed one working after restarts", async () => {
    const engine = createEngine({ store });
    const { account, token } = await engine.accounts.bootstrap({ username: "admin", token: "r8_configured" });
    expect(token).toBe("r8_configured");
    expect(await engine.accounts.authenticate("r8_configured")).toEqual(account);
    await engine.accounts.bootstrap({ username: "admin", token: "r8_rotated" });
    expect(await createEngine({ store }).accounts.authenticate("r8_rotated")).toEqual(account);
    expect(await store.accounts.count()).toBe(1);
  });

  it("answers repeated authentications from its cache for about ten seconds", async () => {
    const clock = createFakeClock();
    let lookups = 0;
    const counting: Store = {
      ...store,
      accounts: { ...store.accounts, findByTokenHash: (h) => ((lookups += 1), store.accounts.findByTokenHash(h)) },
    };
    const engine = createEngine({ store: counting, clock });
    const { token } = await engine.accounts.bootstrap({ username: "admin" });
    for (let i = 0; i < 5; i += 1) expect(await engine.accounts.authenticate(token!)).not.toBeNull();
    expect(lookups).toBe(1);
    clock.advance(10_001);
    await engine.accounts.authenticate(token!);
    expect(lookups).toBe(2);
    expect(await store.accounts.findByTokenHash(hashToken(token!))).not.toBeNull();
  });
});

describe("models", () => {
  let fx: EngineFixture;
  beforeEach(async () => {
    fx = await createEngineFixture();
  });
  afterEach(async () => fx.close());

  it("registers a model under a new organization and makes the version its latest", async () => {
    const schema = cogSchema(STRING_OUTPUT);
    const id = versionIdOf("official-model");
    const { model, version } = await fx.engine.models.register({
      owner: "ferry",
      ownerDisplayName: "Ferry",
      name: "hello-world",
      description: "Says hello",
      visibility: "public",
      isOfficial: true,
      hardware: "cpu",
      readme: "# Hello",
      version: { id, openapiSchema: schema, runtime: { kind: "node", entry: "m.ts", concurrency: 2 }, cogVersion: "0.16.0" },
    });
    expect(await fx.store.accounts.findByUsername("ferry")).toMatchObject({ type: "organization", name: "Ferry" });
    expect(model).toMatchObject({ owner: "ferry", name: "hello-world", isOfficial: true, latestVersionId: id, runCount: 0, readme: "# Hello" });
    expect(version).toMatchObject({ id, modelId: model.id, openapiSchema: schema, cogVersion: "0.16.0" });
    expect(await fx.engine.models.latestVersion(model)).toEqual(version);

    const again = await fx.engine.models.register({
      owner: "ferry",
      name: "hello-world",
      description: "Says hello again",
      visibility: "public",
      isOfficial: true,
      hardware: "cpu",
      version: { id, openapiSchema: schema, runtime: { kind: "node", entry: "m.ts", concurrency: 2 }, cogVersion: "0.16.0" },
    });
    expect(again.model).toMatchObject({ id: model.id, description: "Says hello again" });
    expect((await fx.engine.models.listVersions(null, "ferry", "hello-world", { cursor: null })).items).toHaveLength(1);
  });

  it("shows a private model only to its owner", async () => {
    const { model, version } = await fx.register({ name: "private-one", visibility: "private" });
    expect((await fx.engine.models.get(fx.user, "alice", "private-one")).id).toBe(model.id);
    for (const viewer of [fx.other, null]) {
      await expect(fx.engine.models.get(viewer, "alice", "private-one")).rejects.toMatchObject({ code: "not_found" });
      await expect(fx.engine.models.listVersions(viewer, "alice", "private-one", { cursor: null })).rejects.toMatchObject({ code: "not_found" });
      await expect(fx.engine.models.getVersion(viewer, "alice", "private-one", version.id)).rejects.toMatchObject({ code: "not_found" });
      const listed = await fx.engine.models.list(viewer, { cursor: null });
      expect(listed.items.map((m) => m.name)).not.toContain("private-one");
      const found = await fx.engine.models.search(viewer, "private-one", { cursor: null });
      expect(found.items.map((m) => m.name)).not.toContain("private-one");
    }
    expect((await fx.engine.models.list(fx.user, { cursor: null })).items.map((m) => m.name)).toContain("private-one");
    expect(await fx.engine.models.getVersion(fx.user, "alice", "private-one", version.id)).toEqual(version);
  });

  it("answers not_found for unknown models and for a version of another model", async () => {
    await expect(fx.engine.models.get(null, "alice", "nope")).rejects.toMatchObject({ code: "not_found", status: 404 });
    const { version } = await fx.register({ name: "other" });
    await expect(fx.engine.models.getVersion(null, "alice", "hello", version.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(fx.engine.models.getVersion(null, "alice", "hello", "f".repeat(64))).rejects.toMatchObject({ code: "not_found" });
    expect(await fx.engine.models.getVersion(null, "alice", "hello", fx.version.id)).toEqual(fx.version);
  });

  it("lists a model's versions newest first", async () => {
    fx.clock.advance(1000);
    const { version: newer } = await fx.register({ name: "hello" });
    const versions = await fx.engine.models.listVersions(null, "alice", "hello", { cursor: null });
    expect(versions.items.map((v) => v.id)).toEqual([newer.id, fx.version.id]);
  });
});
