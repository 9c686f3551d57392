// Stored files (Files-API uploads and models' output files): the rows only; the bytes are in the blob store.
import type { Selectable } from "kysely";
import type { FileRepository, StoredFile } from "@ferry/core";
import type { StoreContext } from "./context.js";
import { decodeCursor } from "./cursor.js";
import { pageSize, toSlice } from "./page.js";
import type { FilesTable } from "./schema.js";

/** PostgreSQL bounds the parameters of one statement; long id lists are looked up in chunks. */
const IN_LIST_CHUNK = 500;

export function createFileRepository({ db }: StoreContext): FileRepository {
  return {
    async create(file) {
      const row = await db.insertInto("files").values(fromStoredFile(file)).returningAll().executeTakeFirstOrThrow();
      return toStoredFile(row);
    },

    async get(id) {
      const row = await db.selectFrom("files").selectAll().where("id", "=", id).executeTakeFirst();
      return row ? toStoredFile(row) : null;
    },

    async list(accountId, { cursor, limit }) {
      const size = pageSize(limit);
      let query = db.selectFrom("files").selectAll().where("account_id", "=", accountId).where("kind", "=", "upload");
      if (cursor !== null) {
        const [createdAt, id] = decodeCursor(cursor, ["s", "s"]) as [string, string];
        query = query.where((eb) => eb(eb.refTuple("created_at", "id"), "<", eb.tuple(createdAt, id)));
      }
      const rows = await query
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .limit(size + 1)
        .execute();
      return toSlice(rows, size, toStoredFile, (row) => [row.created_at, row.id]);
    },

    async delete(id) {
      const result = await db.deleteFrom("files").where("id", "=", id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async findExpired(now, limit) {
      const rows = await db
        .selectFrom("files")
        .selectAll()
        .where("expires_at", "is not", null)
        .where("expires_at", "<=", now)
        .orderBy("expires_at")
        .orderBy("id")
        .limit(pageSize(limit))
        .execute();
      return rows.map(toStoredFile);
    },

    async findByPredictions(predictionIds) {
      const files: StoredFile[] = [];
      for (let i = 0; i < predictionIds.length; i += IN_LIST_CHUNK) {
        const ids = predictionIds.slice(i, i + IN_LIST_CHUNK);
        const rows = await db
          .selectFrom("files")
          .selectAll()
          .where("prediction_id", "in", ids)
          .orderBy("created_at")
          .orderBy("id")
          .execute();
        files.push(...rows.map(toStoredFile));
      }
      return files;
    },
  };
}

function fromStoredFile(file: StoredFile): Selectable<FilesTable> {
  return {
    id: file.id,
    account_id: file.accountId,
    kind: file.kind,
    prediction_id: file.predictionId,
    name: file.name,
    content_type: file.contentType,
    size: file.size,
    sha256: file.sha256,
    md5: file.md5,
    metadata: JSON.stringify(file.metadata),
    blob_key: file.blobKey,
    created_at: file.createdAt,
    expires_at: file.expiresAt,
  };
}

function toStoredFile(row: Selectable<FilesTable>): StoredFile {
  return {
    id: row.id,
    accountId: row.account_id,
    kind: row.kind as StoredFile["kind"],
    predictionId: row.prediction_id,
    name: row.name,
    contentType: row.content_type,
    size: Number(row.size),
    sha256: row.sha256,
    md5: row.md5,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    blobKey: row.blob_key,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}
