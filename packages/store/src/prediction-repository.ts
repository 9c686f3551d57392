// Predictions: insert, read, list newest first, and the compare-and-set every status write goes through.
// Queue and lease operations are in prediction-queue.ts.
import type { PredictionRepository } from "@ferry/core";
import type { StoreContext } from "./context.js";
import { decodeCursor } from "./cursor.js";
import { pageSize, toSlice } from "./page.js";
import { createPredictionQueue } from "./prediction-queue.js";
import { createQueryTemplates } from "./query-templates.js";
import { fromNewPrediction, fromPatch, PREDICTION_COLUMNS, toPrediction } from "./rows.js";
import type { PredictionRow } from "./rows.js";
import { insertWebhookMessages } from "./webhook-repository.js";

/** Retention queries live in retention-repository.ts; create-store.ts joins the two. */
export function createPredictionRepository(ctx: StoreContext): Omit<PredictionRepository, "findDataExpired" | "removeData"> {
  const { db, dialect } = ctx;
  // The create → claim → started → succeeded path runs these for every prediction (query-templates.ts).
  const templates = createQueryTemplates();
  return {
    ...createPredictionQueue(ctx, templates),

    async insert(prediction) {
      await db.executeQuery(templates.compile("insert", fromNewPrediction(dialect, prediction), (row) => db.insertInto("predictions").values(row)));
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

    async update(id, expected, patch, options) {
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
      const query = templates.compile("update", { ...set, $id: id, $expected: expected }, ({ $id, $expected, ...columns }) =>
        db.updateTable("predictions").set(columns).where("id", "=", $id).where("status", "=", $expected).returning(PREDICTION_COLUMNS),
      );
      const enqueue = options?.enqueue ?? [];
      if (enqueue.length > 0) {
        // The outbox: the messages are written if and only if the status write applies (one transaction).
        return db.transaction().execute(async (trx) => {
          const row = (await trx.executeQuery<PredictionRow>(query)).rows[0];
          if (row === undefined) return null;
          await insertWebhookMessages(trx, dialect, enqueue);
          return toPrediction(row);
        });
      }
      const row = (await db.executeQuery<PredictionRow>(query)).rows[0];
      return row ? toPrediction(row) : null;
    },
  };
}
