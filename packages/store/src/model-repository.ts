// Models: upsert by (owner, name), keyset-paginated listing, ranked search (search.ts), and run counts written
// behind (run-counts.ts): every read of models first writes the pending counts, so it sees its own runs.
import { newId } from "@ferry/core";
import type { ModelRepository } from "@ferry/core";
import type { StoreContext } from "./context.js";
import { decodeCursor } from "./cursor.js";
import { pageSize, toSlice } from "./page.js";
import { dbBool, toJsonText, toModel } from "./rows.js";
import { createRunCounts } from "./run-counts.js";
import { searchModels } from "./model-search.js";
import { visibleTo } from "./model-visibility.js";

/** The models repository, and the write-behind run counts that close() must flush. */
export function createModelRepository(ctx: StoreContext): ModelRepository & { flushRunCounts(): Promise<void> } {
  const { db, dialect } = ctx;
  const runCounts = createRunCounts(ctx);
  return {
    async upsert(model) {
      await runCounts.flush();
      const descriptive = {
        description: model.description,
        visibility: model.visibility,
        is_official: dbBool(dialect, model.isOfficial),
        github_url: model.githubUrl,
        paper_url: model.paperUrl,
        license_url: model.licenseUrl,
        weights_url: model.weightsUrl,
        cover_image_url: model.coverImageUrl,
        readme: model.readme,
        hardware: model.hardware,
      };
      const row = await db
        .insertInto("models")
        .values({
          id: newId(),
          account_id: model.accountId,
          owner: model.owner,
          name: model.name,
          ...descriptive,
          run_count: 0,
          latest_version_id: null,
          latest_version_created_at: null,
          default_example_id: null,
          created_at: model.createdAt,
        })
        .onConflict((oc) =>
          oc.columns(["owner", "name"]).doUpdateSet((eb) => ({
            description: eb.ref("excluded.description"),
            visibility: eb.ref("excluded.visibility"),
            is_official: eb.ref("excluded.is_official"),
            github_url: eb.ref("excluded.github_url"),
            paper_url: eb.ref("excluded.paper_url"),
            license_url: eb.ref("excluded.license_url"),
            weights_url: eb.ref("excluded.weights_url"),
            cover_image_url: eb.ref("excluded.cover_image_url"),
            readme: eb.ref("excluded.readme"),
            hardware: eb.ref("excluded.hardware"),
          })),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return toModel(row);
    },

    async get(owner, name) {
      await runCounts.flush();
      const row = await db.selectFrom("models").selectAll().where("owner", "=", owner).where("name", "=", name).executeTakeFirst();
      return row ? toModel(row) : null;
    },

    async getById(id) {
      await runCounts.flush();
      const row = await db.selectFrom("models").selectAll().where("id", "=", id).executeTakeFirst();
      return row ? toModel(row) : null;
    },

    async list({ viewerAccountId, sortBy, sortDirection, cursor, limit }) {
      await runCounts.flush();
      const size = pageSize(limit);
      const key = sortBy === "model_created_at" ? "created_at" : "latest_version_created_at";
      const desc = sortDirection === "desc";
      const cmp = desc ? "<" : ">";
      let query = db
        .selectFrom("models")
        .selectAll()
        .where((eb) => visibleTo(eb, viewerAccountId));
      if (cursor !== null) {
        // Order is (key nulls last, id) in one direction; a null key sorts after every non-null one.
        const [value, id] = decodeCursor(cursor, ["s?", "s"]) as [string | null, string];
        query = query.where((eb) =>
          value === null
            ? eb.and([eb(key, "is", null), eb("id", cmp, id)])
            : eb.or([
                eb(key, cmp, value),
                eb.and([eb(key, "=", value), eb("id", cmp, id)]),
                eb(key, "is", null),
              ]),
        );
      }
      const rows = await query
        .orderBy(key, (ob) => (desc ? ob.desc() : ob.asc()).nullsLast())
        .orderBy("id", desc ? "desc" : "asc")
        .limit(size + 1)
        .execute();
      return toSlice(rows, size, toModel, (row) => [row[key], row.id]);
    },

    async search(query) {
      await runCounts.flush();
      return searchModels(ctx, query);
    },

    /** Counted in memory; written within a second, before the next read of models, or on close. */
    async incrementRunCount(modelId) {
      runCounts.add(modelId);
    },

    async setCatalogEntry(modelId, entry) {
      await runCounts.flush();
      const row = await db
        .updateTable("models")
        .set({
          tags: JSON.stringify(entry.tags),
          pricing: toJsonText(entry.pricing),
          memory_mb: entry.memoryMb,
          unavailable_reason: entry.unavailableReason,
        })
        .where("id", "=", modelId)
        .returningAll()
        .executeTakeFirst();
      return row ? toModel(row) : null;
    },

    async setDefaultExample(modelId, predictionId) {
      await db.updateTable("models").set({ default_example_id: predictionId }).where("id", "=", modelId).execute();
    },

    flushRunCounts: () => runCounts.flush(),
  };
}
