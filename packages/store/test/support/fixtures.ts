// Builders for domain records with unique ids and explicit times, so tests state only what they care about.
import { newId, newPredictionId, versionIdOf } from "@ferry/core";
import type { Account, Model, NewPrediction, Store, Version } from "@ferry/core";

type ModelInput = Parameters<Store["models"]["upsert"]>[0];

/** ISO time `seconds` after a fixed origin: text order is time order. */
export function at(seconds: number): string {
  return new Date(Date.UTC(2025, 0, 1) + seconds * 1000).toISOString();
}

export function anAccount(overrides: Partial<Account> = {}): Account {
  const id = newId();
  return {
    id,
    username: `user-${id.slice(0, 10)}`,
    name: "A User",
    type: "user",
    githubUrl: null,
    avatarUrl: null,
    createdAt: at(0),
    ...overrides,
  };
}

export function aModel(account: Account, overrides: Partial<ModelInput> = {}): ModelInput {
  return {
    owner: account.username,
    name: `model-${newId().slice(0, 8)}`,
    accountId: account.id,
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
    createdAt: at(0),
    ...overrides,
  };
}

export function aVersion(model: Model, overrides: Partial<Version> = {}): Version {
  return {
    id: versionIdOf(newId()),
    modelId: model.id,
    createdAt: at(10),
    cogVersion: "0.16.0",
    openapiSchema: { components: { schemas: { Input: { type: "object", properties: {} } } } },
    runtime: { kind: "node", entry: "/models/hello/predict.ts", concurrency: 1 },
    ...overrides,
  };
}

export function aPrediction(version: { id: string; modelId: string }, accountId: string, overrides: Partial<NewPrediction> = {}): NewPrediction {
  return {
    id: newPredictionId(),
    accountId,
    modelId: version.modelId,
    model: "someone/something",
    versionId: version.id,
    input: { prompt: "hello" },
    output: null,
    logs: "",
    error: null,
    status: "starting",
    source: "api",
    dataRemoved: false,
    createdAt: at(100),
    startedAt: null,
    completedAt: null,
    deadline: null,
    metrics: null,
    webhook: null,
    webhookEventsFilter: null,
    canStream: false,
    streamsFiles: false,
    dataExpiresAt: null,
    ...overrides,
  };
}

/** An account, a public model and a version of it, stored. */
export async function seedVersion(store: Store, overrides: { version?: Partial<Version> } = {}) {
  const account = await store.accounts.create(anAccount());
  const model = await store.models.upsert(aModel(account));
  const version = await store.versions.create(aVersion(model, overrides.version));
  return { account, model, version };
}
