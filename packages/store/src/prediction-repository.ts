// Predictions: insert, read, list newest first, and the compare-and-set every status write goes through.
// Queue and lease operations are in prediction-queue.ts.
import type { PredictionRepository } from "@ferry/core";
import type { StoreContext } from "./context.js";
import { decodeCursor } from "./cursor.js";
import { pageSize, toSlice } from "./page.js";
import { createPredictionQueue } from "./prediction-queue.js";
import { fromNewPrediction, fromPatch, PREDICTION_COLUMNS, toPrediction } from "./rows.js";

export function createPredictionRepository(ctx: StoreContext): PredictionRepository {
  const { db, dialect } = ctx;
  return {
    ...createPredictionQueue(ctx),

    async insert(prediction) {
      await db.insertInto("predictions").values(fromNewPrediction(dialect, prediction)).execute();
      return { ...prediction, leaseOwner: null, leaseExpiresAt: null };
    },

    async get(id) {
      const row = await db.selectFrom("predictions").select(PREDICTION_COLUMNS).where("id", "=", id).executeTakeFirst();
      return row ? toPrediction(row) : null;
    },

    async list({ accountId, createdAfter, createdBefore, source, cursor, limit }) {
      const size = pageSize(limit);
      let query = db.selectFrom("predictions").select(["seq", ...PREDICTION_COLUMNS]).where("account_id", "=", accountId);
      if (createdAfter !== undefined) query = query.where("created_at", ">=", createdAfter);
      if (createdBefore !== undefined) query = query.where("created_at", "<", createdBefore);
      if (source !== undefined) query = query.where("source", "=", source);
      if (cursor !== null) {
        const [seq] = decodeCursor(cursor, ["n"]) as [number];
        query = query.where("seq", "<", seq);
      }
      const rows = await query
        .orderBy("seq", "desc")
        .limit(size + 1)
        .execute();
      return toSlice(rows, size, toPrediction, (row) => [Number(row.seq)]);
    },

    async update(id, expected, patch) {
      const set = fromPatch(dialect, patch);
      if (Object.keys(set).length === 0) {
        const row = await db
          .selectFrom("predictions")
          .select(PREDICTION_COLUMNS)
          .where("id", "=", id)
          .where("status", "=", expected)
          .executeTakeFirst();
        return row ? toPrediction(row) : null;
      }
      const row = await db
        .updateTable("predictions")
        .set(set)
        .where("id", "=", id)
        .where("status", "=", expected)
        .returning(PREDICTION_COLUMNS)
        .executeTakeFirst();
      return row ? toPrediction(row) : null;
    },
  };
}
