// Model search: a case-insensitive substring match ranked name > owner > description > readme, newest first within a rank.
import type { Model, PageRequest, Slice } from "@ferry/core";
import { sql } from "kysely";
import type { StoreContext } from "./context.js";
import { decodeCursor } from "./cursor.js";
import { visibleTo } from "./model-visibility.js";
import { pageSize, toSlice } from "./page.js";
import { toModel } from "./rows.js";

/** A LIKE pattern matching `text` anywhere, with LIKE's wildcards escaped (escape character `\`). */
function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export async function searchModels(
  { db }: StoreContext,
  { text, viewerAccountId, cursor, limit }: { text: string; viewerAccountId: string | null } & PageRequest,
): Promise<Slice<Model>> {
  const size = pageSize(limit);
  const p = containsPattern(text.trim());
  const like = (column: string) => sql<boolean>`lower(coalesce(${sql.ref(column)}, '')) like ${p} escape '\\'`;
  const rank = sql<number>`case when ${like("name")} then 0 when ${like("owner")} then 1 when ${like("description")} then 2 when ${like("readme")} then 3 else 4 end`;

  const matches = db
    .selectFrom("models")
    .selectAll()
    .select(rank.as("rank"))
    .where((eb) => visibleTo(eb, viewerAccountId));
  let query = db.selectFrom(matches.as("m")).selectAll().where("m.rank", "<", 4);
  if (cursor !== null) {
    const [r, createdAt, id] = decodeCursor(cursor, ["n", "s", "s"]) as [number, string, string];
    query = query.where((eb) =>
      eb.or([eb("m.rank", ">", r), eb.and([eb("m.rank", "=", r), eb(eb.refTuple("m.created_at", "m.id"), "<", eb.tuple(createdAt, id))])]),
    );
  }
  const rows = await query
    .orderBy("m.rank", "asc")
    .orderBy("m.created_at", "desc")
    .orderBy("m.id", "desc")
    .limit(size + 1)
    .execute();
  return toSlice(rows, size, toModel, (row) => [Number(row.rank), row.created_at, row.id]);
}
