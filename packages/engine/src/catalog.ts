// Cached lookups of versions and models for the hot path. Versions are immutable (content-addressed), so they
// are cached by id until evicted; models change (latest version, visibility), so they are cached briefly.
import type { Account, Clock, Model, Store, Version } from "@ferry/core";
import { createBoundedMap, createTtlMap } from "./bounded-map.js";

const VERSION_CACHE_SIZE = 2_000;
const MODEL_CACHE_SIZE = 2_000;
/** How long a model row may be reused before it is read again (latest version and visibility may change). */
const MODEL_TTL_MS = 2_000;

export interface Catalog {
  version(id: string): Promise<Version | null>;
  modelById(id: string): Promise<Model | null>;
  modelByName(owner: string, name: string): Promise<Model | null>;
  /** Forgets a model after this process changed it (register, new version). */
  forgetModel(model: Pick<Model, "id" | "owner" | "name">): void;
  rememberVersion(version: Version): void;
}

/** A model is visible to its owner and, when public, to everyone. */
export function canView(viewer: Account | null, model: Model): boolean {
  return model.visibility === "public" || (viewer !== null && model.accountId === viewer.id);
}

export function modelRef(model: Pick<Model, "owner" | "name">): string {
  return `${model.owner}/${model.name}`;
}

export function createCatalog(store: Store, clock: Clock): Catalog {
  const versions = createBoundedMap<Version>(VERSION_CACHE_SIZE);
  const modelsById = createTtlMap<Model>(MODEL_CACHE_SIZE, MODEL_TTL_MS, clock);
  const modelsByName = createTtlMap<Model>(MODEL_CACHE_SIZE, MODEL_TTL_MS, clock);

  function remember(model: Model): Model {
    modelsById.set(model.id, model);
    modelsByName.set(modelRef(model), model);
    return model;
  }

  return {
    async version(id) {
      const cached = versions.get(id);
      if (cached !== undefined) return cached;
      const version = await store.versions.get(id);
      if (version !== null) versions.set(id, version);
      return version;
    },
    async modelById(id) {
      const cached = modelsById.get(id);
      if (cached !== undefined) return cached;
      const model = await store.models.getById(id);
      return model === null ? null : remember(model);
    },
    async modelByName(owner, name) {
      const cached = modelsByName.get(`${owner}/${name}`);
      if (cached !== undefined) return cached;
      const model = await store.models.get(owner, name);
      return model === null ? null : remember(model);
    },
    forgetModel(model) {
      modelsById.delete(model.id);
      modelsByName.delete(modelRef(model));
    },
    rememberVersion(version) {
      versions.set(version.id, version);
    },
  };
}
