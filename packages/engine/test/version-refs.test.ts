// Which version a create request runs: every form of the version reference, the model route, and the
// visibility rules that make others' private models look unknown.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FerryError } from "@ferry/core";
import type { Model, Version } from "@ferry/core";
import type { PredictionTarget } from "../src/engine-types.js";
import { createEngineFixture } from "./support/engine-fixture.js";
import type { EngineFixture } from "./support/engine-fixture.js";

let fx: EngineFixture;
let second: Version;
let sibling: { model: Model; version: Version };
let privateOfBob: { model: Model; version: Version };
beforeAll(async () => {
  fx = await createEngineFixture();
  ({ version: second } = await fx.register({ name: "hello" }));
  sibling = await fx.register({ name: "sibling" });
  privateOfBob = await fx.register({ owner: "bob", name: "secret", visibility: "private" });
  await fx.store.models.upsert({
    owner: "alice",
    name: "empty",
    accountId: fx.user.id,
    description: null,
    visibility: "public",
    isOfficial: false,
    githubUrl: null,
    paperUrl: null,
    licenseUrl: null,
    weightsUrl: null,
    coverImageUrl: null,
    readme: null,
    hardware: "cpu",
    createdAt: fx.clock.iso(),
  });
});
afterAll(async () => fx.close());

const create = (target: PredictionTarget, account = fx.user) =>
  fx.engine.predictions.create(account, { target, input: { prompt: "hi" } });

async function failure(target: PredictionTarget, account = fx.user): Promise<FerryError> {
  const error = await create(target, account).then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(FerryError);
  return error as FerryError;
}

describe("version references on the version route", () => {
  it("runs a bare 64-hex version id", async () => {
    const p = await create({ kind: "version", ref: fx.version.id });
    expect(p).toMatchObject({ versionId: fx.version.id, model: "alice/hello", modelId: fx.model.id, status: "starting" });
  });

  it("runs owner/name:id when the id belongs to that model", async () => {
    const p = await create({ kind: "version", ref: `alice/hello:${fx.version.id}` });
    expect(p.versionId).toBe(fx.version.id);
  });

  it("runs the latest version for owner/name", async () => {
    const p = await create({ kind: "version", ref: "alice/hello" });
    expect(p.versionId).toBe(second.id);
  });

  it.each([
    ["an unknown version id", () => "0".repeat(64)],
    ["a version id of another model", () => `alice/sibling:${fx.version.id}`],
    ["a model that does not exist", () => "alice/nope"],
    ["a version part that is not a version id", () => "alice/hello:abc123"],
    ["text that is no reference", () => "hello"],
    ["a model with no version", () => "alice/empty"],
    ["someone else's private model by id", () => privateOfBob.version.id],
    ["someone else's private model by name", () => "bob/secret"],
  ])("answers invalid_version (422) for %s", async (_name, ref) => {
    const error = await failure({ kind: "version", ref: ref() });
    expect(error.code).toBe("invalid_version");
    expect(error.status).toBe(422);
    expect(error.detail).toBe("The specified version does not exist (or perhaps you don't have permission to use it?)");
  });

  it("lets owners run their private models", async () => {
    const p = await create({ kind: "version", ref: privateOfBob.version.id }, fx.other);
    expect(p).toMatchObject({ model: "bob/secret", accountId: fx.other.id });
  });

  it("uses the sibling model's own version", async () => {
    const p = await create({ kind: "version", ref: `alice/sibling:${sibling.version.id}` });
    expect(p.modelId).toBe(sibling.model.id);
  });
});

describe("the model route", () => {
  it("runs the model's latest version", async () => {
    const p = await create({ kind: "model", owner: "alice", name: "hello" });
    expect(p.versionId).toBe(second.id);
  });

  it.each([
    ["an unknown model", "alice", "nope"],
    ["a model with no version", "alice", "empty"],
    ["someone else's private model", "bob", "secret"],
  ])("answers not_found (404) for %s", async (_name, owner, name) => {
    const error = await failure({ kind: "model", owner, name });
    expect(error.code).toBe("not_found");
    expect(error.status).toBe(404);
  });

  it("runs a private model for its owner", async () => {
    const p = await create({ kind: "model", owner: "bob", name: "secret" }, fx.other);
    expect(p.versionId).toBe(privateOfBob.version.id);
  });
});
