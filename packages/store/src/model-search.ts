// Model search: a case-insensitive substring match ranked name > tag > owner > description > readme; official
// models first within a rank, then newest first.
import type { Model, PageRequest, Slice } from "@ferry/core";
import { sql } from "kysely";
import type { StoreContext } from "./context.js";
import { decodeCursor } from "./cursor.js";
import { visibleTo } from "./model-visibility.js";
import { pageSize, toSlice } from "./page.js";
import { toModel } from "./rows.js";

/** A LIKE pattern matching `text` anywhere, with LIKE's wildcards escaped (escape character `\`). */
export function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Rank of a row that matches nothing; such rows are left out. */
const NO_MATCH = 5;

export async function searchModels(
  { db }: StoreContext,
  { text, viewerAccountId, cursor, limit }: { text: string; viewerAccountId: string | null } & PageRequest,
): Promise<Slice<Model>> {
  const size = pageSize(limit);
  const p = containsPattern(text.trim());
  const like = (column: string) => sql<boolean>`lower(coalesce(${sql.ref(column)}, '')) like ${p} escape '\\'`;
  // Tags are a JSON array of lowercase words: a match inside the text is a match inside one tag.
  const rank = sql<number>`case when ${like("name")} then 0 when ${like("tags")} then 1 when ${like("owner")} then 2 when ${like("description")} then 3 when ${like("readme")} then 4 else ${sql.lit(NO_MATCH)} end`;
  // 1/0 on both engines (a boolean in PostgreSQL, an integer in SQLite), so the cursor can compare it.
  const official = sql<number>`case when ${sql.ref("is_official")} then 1 else 0 end`;

  const matches = db
    .selectFrom("models")
    .selectAll()
    .select([rank.as("rank"), official.as("official")])
    .where((eb) => visibleTo(eb, viewerAccountId));
  let query = db.selectFrom(matches.as("m")).selectAll().where("m.rank", "<", NO_MATCH);
  if (cursor !== null) {
    const [r, o, createdAt, id] = decodeCursor(cursor, ["n", "n", "s", "s"]) as [number, number, string, string];
    query = query.where((eb) =>
      eb.or([
        eb("m.rank", ">", r),
        eb.and([
          eb("m.rank", "=", r),
          eb.or([
            eb("m.official", "<", o),
            eb.and([eb("m.official", "=", o), eb(eb.refTuple("m.created_at", "m.id"), "<", eb.tuple(createdAt, id))]),
          ]),
        ]),
      ]),
    );
  }
  const rows = await query
    .orderBy("m.rank", "asc")
    .orderBy("m.official", "desc")
    .orderBy("m.created_at", "desc")
    .orderBy("m.id", "desc")
    .limit(size + 1)
    .execute();
  return toSlice(rows, size, toModel, (row) => [Number(row.rank), Number(row.official), row.created_at, row.id]);
}
