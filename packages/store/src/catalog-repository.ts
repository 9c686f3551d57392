// The model catalog's own tables: collections with their models in order, and the predictions a model's owner
// saved as its examples (migration 0006_catalog).
import { sql } from "kysely";
import type { Collection, CollectionRepository, ExampleRepository } from "@ferry/core";
import type { StoreContext } from "./context.js";
import { decodeCursor } from "./cursor.js";
import { containsPattern } from "./model-search.js";
import { visibleTo } from "./model-visibility.js";
import { pageSize, toSlice } from "./page.js";
import { PREDICTION_COLUMNS, toModel, toPrediction } from "./rows.js";
import type { CollectionsTable } from "./schema.js";

function toCollection(row: CollectionsTable): Collection {
  return {
    slug: row.slug,
    name: row.name,
    description: row.description,
    fullDescription: row.full_description,
    position: Number(row.position),
  };
}

export function createCollectionRepository({ db }: StoreContext): CollectionRepository {
  return {
    async put(collection, modelIds) {
      const row: CollectionsTable = {
        slug: collection.slug,
        name: collection.name,
        description: collection.description,
        full_description: collection.fullDescription,
        position: collection.position,
      };
      // One transaction: a reader sees the old members or the new ones, never a collection half filled.
      await db.transaction().execute(async (tx) => {
        await tx
          .insertInto("collections")
          .values(row)
          .onConflict((oc) =>
            oc.column("slug").doUpdateSet({
              name: row.name,
              description: row.description,
              full_description: row.full_description,
              position: row.position,
            }),
          )
          .execute();
        await tx.deleteFrom("collection_models").where("collection_slug", "=", collection.slug).execute();
        const unique = [...new Set(modelIds)];
        if (unique.length > 0) {
          await tx
            .insertInto("collection_models")
            .values(unique.map((modelId, position) => ({ collection_slug: collection.slug, model_id: modelId, position })))
            .execute();
        }
      });
    },

    async list({ cursor, limit }) {
      const size = pageSize(limit);
      let query = db.selectFrom("collections").selectAll();
      if (cursor !== null) {
        const [position, slug] = decodeCursor(cursor, ["n", "s"]) as [number, string];
        query = query.where((eb) => eb(eb.refTuple("position", "slug"), ">", eb.tuple(position, slug)));
      }
      const rows = await query.orderBy("position").orderBy("slug").limit(size + 1).execute();
      return toSlice(rows, size, toCollection, (row) => [Number(row.position), row.slug]);
    },

    async get(slug) {
      const row = await db.selectFrom("collections").selectAll().where("slug", "=", slug).executeTakeFirst();
      return row ? toCollection(row) : null;
    },

    async models(slug, viewerAccountId) {
      const rows = await db
        .selectFrom("collection_models")
        .innerJoin("models", "models.id", "collection_models.model_id")
        .selectAll("models")
        .where("collection_models.collection_slug", "=", slug)
        .where((eb) => visibleTo(eb, viewerAccountId))
        .orderBy("collection_models.position")
        .execute();
      return rows.map(toModel);
    },

    async search(text, limit) {
      const p = containsPattern(text.trim());
      const like = (column: string) => sql<boolean>`lower(${sql.ref(column)}) like ${p} escape '\\'`;
      const rank = sql<number>`case when ${like("name")} or ${like("slug")} then 0 when ${like("description")} then 1 else 2 end`;
      const rows = await db
        .selectFrom(db.selectFrom("collections").selectAll().select(rank.as("rank")).as("c"))
        .selectAll()
        .where("c.rank", "<", 2)
        .orderBy("c.rank")
        .orderBy("c.position")
        .orderBy("c.slug")
        .limit(pageSize(limit))
        .execute();
      return rows.map(toCollection);
    },
  };
}

export function createExampleRepository({ db }: StoreContext): ExampleRepository {
  return {
    async save(example) {
      const row = { model_id: example.modelId, name: example.name, prediction_id: example.predictionId, position: example.position };
      await db
        .insertInto("model_examples")
        .values(row)
        .onConflict((oc) => oc.columns(["model_id", "name"]).doUpdateSet({ prediction_id: row.prediction_id, position: row.position }))
        .execute();
    },

    async list(modelId, { cursor, limit }) {
      const size = pageSize(limit);
      let query = db
        .selectFrom("model_examples")
        .innerJoin("predictions", "predictions.id", "model_examples.prediction_id")
        .select(PREDICTION_COLUMNS.map((column) => `predictions.${column}` as const))
        .select(["model_examples.position as example_position", "model_examples.name as example_name"])
        .where("model_examples.model_id", "=", modelId);
      if (cursor !== null) {
        const [position, name] = decodeCursor(cursor, ["n", "s"]) as [number, string];
        query = query.where((eb) => eb(eb.refTuple("model_examples.position", "model_examples.name"), ">", eb.tuple(position, name)));
      }
      const rows = await query
        .orderBy("model_examples.position")
        .orderBy("model_examples.name")
        .limit(size + 1)
        .execute();
      return toSlice(rows, size, toPrediction, (row) => [Number(row.example_position), row.example_name]);
    },
  };
}
