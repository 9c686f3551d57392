// Models and versions: registration (built-in models at start, pushes), and reads with visibility rules:
// a model is visible when it is public or owned by the viewer; anything else is not_found.
import { FerryError, newId } from "@ferry/core";
import type { Account, Clock, Model, Store, Version } from "@ferry/core";
import type { Catalog } from "./catalog.js";
import { canView } from "./catalog.js";
import type { Engine, RegisterModelRequest } from "./engine-types.js";

const MODEL_PAGE_SIZE = 25;
const VERSION_PAGE_SIZE = 100;

/** The account a registered model belongs to, created as an organization when it does not exist yet. */
async function ownerAccountOf(
  store: Store,
  clock: Clock,
  request: Pick<RegisterModelRequest, "owner" | "ownerDisplayName">,
): Promise<Account> {
  const existing = await store.accounts.findByUsername(request.owner);
  if (existing !== null) return existing;
  return store.accounts.create({
    id: newId(),
    username: request.owner,
    name: request.ownerDisplayName ?? request.owner,
    type: "organization",
    githubUrl: null,
    avatarUrl: null,
    createdAt: clock.now().toISOString(),
  });
}

/**
 * Creates the model a registration describes (created at `now`), or updates its details when it exists; its owner
 * account is created when missing.
 */
export async function upsertRegisteredModel(
  store: Store,
  clock: Clock,
  request: Omit<RegisterModelRequest, "version">,
  now: string,
): Promise<Model> {
  const account = await ownerAccountOf(store, clock, request);
  return store.models.upsert({
    owner: account.username,
    name: request.name,
    accountId: account.id,
    description: request.description,
    visibility: request.visibility,
    isOfficial: request.isOfficial,
    githubUrl: request.githubUrl ?? null,
    paperUrl: request.paperUrl ?? null,
    licenseUrl: request.licenseUrl ?? null,
    weightsUrl: null,
    coverImageUrl: request.coverImageUrl ?? null,
    readme: request.readme ?? null,
    hardware: request.hardware,
    createdAt: now,
  });
}

export function createModels(store: Store, clock: Clock, catalog: Catalog): Engine["models"] {
  async function visible(viewer: Account | null, owner: string, name: string): Promise<Model> {
    const model = await store.models.get(owner, name);
    if (model === null || !canView(viewer, model)) throw new FerryError("not_found");
    return model;
  }

  async function register(request: RegisterModelRequest): Promise<{ model: Model; version: Version }> {
    const now = clock.now().toISOString();
    const upserted = await upsertRegisteredModel(store, clock, request, now);
    const version = await store.versions.create({
      id: request.version.id,
      modelId: upserted.id,
      createdAt: now,
      cogVersion: request.version.cogVersion,
      openapiSchema: request.version.openapiSchema,
      runtime: request.version.runtime,
    });
    catalog.forgetModel(upserted);
    catalog.rememberVersion(version);
    const model = (await store.models.getById(upserted.id)) ?? upserted;
    return { model, version };
  }

  async function latestVersion(model: Model): Promise<Version | null> {
    return model.latestVersionId === null ? null : catalog.version(model.latestVersionId);
  }

  return {
    register,
    get: visible,
    list: (viewer, request) =>
      store.models.list({
        viewerAccountId: viewer?.id ?? null,
        cursor: request.cursor,
        limit: request.limit ?? MODEL_PAGE_SIZE,
        sortBy: request.sortBy ?? "latest_version_created_at",
        sortDirection: request.sortDirection ?? "desc",
      }),
    search: (viewer, text, request) =>
      store.models.search({
        text,
        viewerAccountId: viewer?.id ?? null,
        cursor: request.cursor,
        limit: request.limit ?? MODEL_PAGE_SIZE,
      }),
    async listVersions(viewer, owner, name, request) {
      const model = await visible(viewer, owner, name);
      return store.versions.list(model.id, { cursor: request.cursor, limit: request.limit ?? VERSION_PAGE_SIZE });
    },
    async getVersion(viewer, owner, name, versionId) {
      const model = await visible(viewer, owner, name);
      const version = await catalog.version(versionId);
      if (version === null || version.modelId !== model.id) throw new FerryError("not_found");
      return version;
    },
    latestVersion,
  };
}
