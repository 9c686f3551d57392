// Versions: content-addressed, so creating one that exists refreshes its runtime and makes it latest again.
import type { VersionRepository } from "@ferry/core";
import type { StoreContext } from "./context.js";
import { decodeCursor } from "./cursor.js";
import { pageSize, toSlice } from "./page.js";
import { toVersion } from "./rows.js";

export function createVersionRepository({ db }: StoreContext): VersionRepository {
  return {
    async create(version) {
      const stored = await db.transaction().execute(async (tx) => {
        const row = await tx
          .insertInto("versions")
          .values({
            id: version.id,
            model_id: version.modelId,
            created_at: version.createdAt,
            cog_version: version.cogVersion,
            openapi_schema: JSON.stringify(version.openapiSchema),
            runtime: JSON.stringify(version.runtime),
          })
          // A built-in model's folder may have moved since the version was first stored.
          .onConflict((oc) => oc.column("id").doUpdateSet((eb) => ({ runtime: eb.ref("excluded.runtime") })))
          .returningAll()
          .executeTakeFirstOrThrow();
        await tx
          .updateTable("models")
          .set({ latest_version_id: row.id, latest_version_created_at: row.created_at })
          .where("id", "=", row.model_id)
          .execute();
        return row;
      });
      return toVersion(stored);
    },

    async get(id) {
      const row = await db.selectFrom("versions").selectAll().where("id", "=", id).executeTakeFirst();
      return row ? toVersion(row) : null;
    },

    async list(modelId, { cursor, limit }) {
      const size = pageSize(limit);
      let query = db.selectFrom("versions").selectAll().where("model_id", "=", modelId);
      if (cursor !== null) {
        const [createdAt, id] = decodeCursor(cursor, ["s", "s"]) as [string, string];
        query = query.where((eb) => eb(eb.refTuple("created_at", "id"), "<", eb.tuple(createdAt, id)));
      }
      const rows = await query
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .limit(size + 1)
        .execute();
      return toSlice(rows, size, toVersion, (row) => [row.created_at, row.id]);
    },
  };
}
