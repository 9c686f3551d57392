// The model catalog: each model's catalog entry (tags, pricing, memory bound, availability), collections, and
// examples — predictions the model's owner ran and saved, the first of them the model's default_example.
import { FerryError, isTerminal } from "@ferry/core";
import type { Account, Clock, Collection, Model, Prediction, Store } from "@ferry/core";
import type { Catalog } from "./catalog.js";
import { canView, modelRef } from "./catalog.js";
import type { Engine, ModelCatalogApi, RegisterModelRequest } from "./engine-types.js";
import { upsertRegisteredModel } from "./models.js";

const COLLECTION_PAGE_SIZE = 25;
const EXAMPLE_PAGE_SIZE = 25;
const MODEL_REF = /^([^/]+)\/([^/]+)$/;

export interface ModelCatalogDeps {
  store: Store;
  clock: Clock;
  catalog: Catalog;
  predictions: Engine["predictions"];
}

export function createModelCatalog({ store, clock, catalog, predictions }: ModelCatalogDeps): ModelCatalogApi {
  async function modelNamed(owner: string, name: string): Promise<Model> {
    const model = await store.models.get(owner, name);
    if (model === null) throw new FerryError("not_found", `The model ${owner}/${name} does not exist`);
    return model;
  }

  async function visible(viewer: Account | null, owner: string, name: string): Promise<Model> {
    const model = await store.models.get(owner, name);
    if (model === null || !canView(viewer, model)) throw new FerryError("not_found");
    return model;
  }

  async function idsOf(refs: string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const ref of refs) {
      const [, owner = "", name = ""] = MODEL_REF.exec(ref) ?? [];
      const model = owner === "" ? null : await store.models.get(owner, name);
      if (model !== null) ids.push(model.id);
    }
    return ids;
  }

  return {
    async describe(owner, name, entry) {
      const model = await modelNamed(owner, name);
      const updated = await store.models.setCatalogEntry(model.id, entry);
      catalog.forgetModel(model);
      return updated ?? model;
    },

    async registerUnavailable(request: Omit<RegisterModelRequest, "version">, reason: string) {
      const upserted = await upsertRegisteredModel(store, clock, request, clock.now().toISOString());
      const updated = await store.models.setCatalogEntry(upserted.id, {
        tags: [],
        pricing: null,
        memoryMb: null,
        unavailableReason: reason,
      });
      catalog.forgetModel(upserted);
      return updated ?? upserted;
    },

    async putCollection(collection: Collection, models: string[]) {
      await store.collections.put(collection, await idsOf(models));
    },

    collections: (request) => store.collections.list({ cursor: request.cursor, limit: request.limit ?? COLLECTION_PAGE_SIZE }),

    async collection(viewer, slug) {
      const collection = await store.collections.get(slug);
      if (collection === null) throw new FerryError("not_found", `The collection ${slug} does not exist`);
      return { collection, models: await store.collections.models(slug, viewer?.id ?? null) };
    },

    async searchCollections(viewer, text, limit) {
      const found = await store.collections.search(text, limit);
      return Promise.all(
        found.map(async (collection) => ({
          collection,
          models: (await store.collections.models(collection.slug, viewer?.id ?? null)).map(modelRef),
        })),
      );
    },

    async examples(viewer, owner, name, request) {
      const model = await visible(viewer, owner, name);
      return store.examples.list(model.id, { cursor: request.cursor, limit: request.limit ?? EXAMPLE_PAGE_SIZE });
    },

    async defaultExample(model) {
      if (model.defaultExampleId === null) return null;
      return store.predictions.get(model.defaultExampleId);
    },

    async needsDefaultExample(owner, name, versionId) {
      const model = await modelNamed(owner, name);
      if (model.defaultExampleId === null) return true;
      const current = await store.predictions.get(model.defaultExampleId);
      // Kept while it shows this very version; a changed model (a new version) gets a fresh one.
      return current === null || current.versionId !== versionId || current.status !== "succeeded";
    },

    async runExample({ owner, name, versionId, exampleName, position, input, timeoutMs, signal }) {
      const model = await modelNamed(owner, name);
      const account = await store.accounts.findById(model.accountId);
      if (account === null) throw new FerryError("not_found", `The owner of ${owner}/${name} does not exist`);
      // A normal prediction of the owner's, made as the web UI makes them (source "web": kept, not expired).
      const created = await predictions.create(account, {
        target: { kind: "version", ref: `${owner}/${name}:${versionId}` },
        input,
        source: "web",
      });
      const ended: Prediction = await predictions.waitForTerminal(created.id, timeoutMs, signal);
      if (!isTerminal(ended.status)) {
        // Not finished in time (or the wait was cut short): it keeps running, unsaved; the next start tries again.
        return ended;
      }
      if (ended.status === "succeeded") {
        await store.examples.save({ modelId: model.id, name: exampleName, predictionId: ended.id, position });
        if (position === 0) {
          await store.models.setDefaultExample(model.id, ended.id);
          catalog.forgetModel(model);
        }
      }
      return ended;
    },
  };
}
