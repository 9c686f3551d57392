// Data retention: an account's retention setting, and the two queries the retention sweeper runs (find the
// ended predictions whose data is due, then empty it). The predicate matches the predictions_data_expiry index.
import type { AccountRepository, PredictionRepository } from "@ferry/core";
import { sql } from "kysely";
import type { StoreContext } from "./context.js";
import { dbBool, PREDICTION_COLUMNS, toPrediction } from "./rows.js";

type RetentionAccounts = Required<Pick<AccountRepository, "getDataRetention" | "setDataRetention">>;
type RetentionPredictions = Required<Pick<PredictionRepository, "findDataExpired" | "removeData">>;

const TERMINAL = [sql.lit("succeeded"), sql.lit("failed"), sql.lit("canceled"), sql.lit("aborted")];
/** Keeps one `in (…)` list under every engine's parameter limit. */
const MAX_IDS_PER_STATEMENT = 500;

export function createRetentionRepository(ctx: StoreContext): { accounts: RetentionAccounts; predictions: RetentionPredictions } {
  const { db, dialect } = ctx;
  return {
    accounts: {
      async getDataRetention(accountId) {
        const row = await db.selectFrom("accounts").select("data_retention_seconds").where("id", "=", accountId).executeTakeFirst();
        return row?.data_retention_seconds == null ? null : Number(row.data_retention_seconds);
      },
      async setDataRetention(accountId, seconds) {
        await db.updateTable("accounts").set({ data_retention_seconds: seconds }).where("id", "=", accountId).execute();
      },
    },
    predictions: {
      async findDataExpired(now, limit) {
        const rows = await db
          .selectFrom("predictions")
          .select(PREDICTION_COLUMNS)
          .where("data_expires_at", "is not", null)
          .where("data_expires_at", "<=", now)
          .where("status", "in", TERMINAL)
          .orderBy("data_expires_at")
          .limit(Math.max(1, Math.trunc(limit)))
          .execute();
        return rows.map(toPrediction);
      },
      async removeData(ids) {
        let changed = 0;
        for (let start = 0; start < ids.length; start += MAX_IDS_PER_STATEMENT) {
          const result = await db
            .updateTable("predictions")
            .set({ input: "{}", output: null, logs: "", data_removed: dbBool(dialect, true), data_expires_at: null })
            .where("id", "in", ids.slice(start, start + MAX_IDS_PER_STATEMENT))
            // A prediction still running is never touched, whatever its row says.
            .where("status", "in", TERMINAL)
            .executeTakeFirst();
          changed += Number(result.numUpdatedRows);
        }
        return changed;
      },
    },
  };
}
