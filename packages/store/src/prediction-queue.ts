// The queue is the predictions table: claims take the oldest unleased "starting" prediction of a version
// with a lease, atomically; sweeps find expired leases and passed deadlines. Predicates match the partial
// indexes of migrations.ts.
import type { ClaimRequest, Prediction, PredictionRepository } from "@ferry/core";
import { sql } from "kysely";
import type { ExpressionBuilder } from "kysely";
import type { StoreContext } from "./context.js";
import type { QueryTemplates } from "./query-templates.js";
import { fromPatch, PREDICTION_COLUMNS, toPrediction } from "./rows.js";
import type { PredictionRow } from "./rows.js";
import type { Database } from "./schema.js";

type Queue = Pick<
  PredictionRepository,
  "claim" | "renewLeases" | "queuedVersions" | "findLeased" | "findPastDeadline" | "releaseLease"
>;

const STARTING = sql.lit("starting");
const OPEN = [sql.lit("starting"), sql.lit("processing")];

function queued(eb: ExpressionBuilder<Database, "predictions">) {
  return eb.and([eb("status", "=", STARTING), eb("lease_owner", "is", null)]);
}

function open(eb: ExpressionBuilder<Database, "predictions">) {
  return eb("status", "in", OPEN);
}

export function createPredictionQueue(ctx: StoreContext, templates: QueryTemplates): Queue {
  const { db } = ctx;
  const claim = ctx.dialect === "postgres" ? claimPostgres : claimSqlite;
  return {
    claim: (request) => claim(ctx, templates, request),

    async renewLeases(runnerId, ids, leaseUntil) {
      if (ids.length === 0) return 0;
      const result = await db
        .updateTable("predictions")
        .set({ lease_expires_at: leaseUntil })
        .where("id", "in", ids)
        .where("lease_owner", "=", runnerId)
        .where(open)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async queuedVersions() {
      const rows = await db
        .selectFrom("predictions")
        .select((eb) => ["version_id", eb.fn.countAll().as("n")])
        .where(queued)
        .groupBy("version_id")
        .execute();
      return rows.map((row) => ({ versionId: row.version_id, count: Number(row.n) }));
    },

    async findLeased({ expiredBefore, runnerIds }) {
      // Two lookups, each on its own partial index, rather than one OR that scans the table.
      const leased = db.selectFrom("predictions").select(PREDICTION_COLUMNS).where("lease_owner", "is not", null).where(open);
      const owners = runnerIds ?? [];
      const [expired, held] = await Promise.all([
        expiredBefore === undefined ? [] : leased.where("lease_expires_at", "<", expiredBefore).execute(),
        owners.length === 0 ? [] : leased.where("lease_owner", "in", owners).execute(),
      ]);
      const byId = new Map([...expired, ...held].map((row) => [row.id, row]));
      return [...byId.values()].map(toPrediction);
    },

    async findPastDeadline(now, limit) {
      const rows = await db
        .selectFrom("predictions")
        .select(PREDICTION_COLUMNS)
        .where("deadline", "is not", null)
        .where(open)
        .where("deadline", "<=", now)
        .orderBy("deadline")
        .limit(Math.max(1, Math.trunc(limit)))
        .execute();
      return rows.map(toPrediction);
    },

    async releaseLease(id, runnerId, requeue) {
      const result = await db
        .updateTable("predictions")
        .set({ ...(requeue !== undefined ? fromPatch(ctx.dialect, requeue) : {}), lease_owner: null, lease_expires_at: null })
        .where("id", "=", id)
        .where("lease_owner", "=", runnerId)
        .where("status", "=", STARTING)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}

/** One statement, so SQLite runs it under the database's single write lock: no two callers take one row. */
async function claimSqlite({ db }: StoreContext, templates: QueryTemplates, request: ClaimRequest): Promise<Prediction | null> {
  const query = templates.compile("claim", { ...request }, ({ runnerId, versionId, leaseUntil }) =>
    db
      .updateTable("predictions")
      .set({ lease_owner: runnerId, lease_expires_at: leaseUntil })
      .where("seq", "=", (eb) =>
        eb.selectFrom("predictions").select("seq").where("version_id", "=", versionId).where(queued).orderBy("seq").limit(1),
      )
      .where("lease_owner", "is", null)
      .returning(PREDICTION_COLUMNS),
  );
  const row = (await db.executeQuery<PredictionRow>(query)).rows[0];
  return row ? toPrediction(row) : null;
}

/**
 * SKIP LOCKED lets concurrent claimers pass over each other's rows instead of queueing behind them. So a
 * claim may return null while the remaining rows are being taken by other claimers at that moment.
 */
async function claimPostgres({ db }: StoreContext, _templates: QueryTemplates, { runnerId, versionId, leaseUntil }: ClaimRequest): Promise<Prediction | null> {
  const row = await db
    .with("next", (qc) =>
      qc
        .selectFrom("predictions")
        .select("seq")
        .where("version_id", "=", versionId)
        .where(queued)
        .orderBy("seq")
        .limit(1)
        .forUpdate()
        .skipLocked(),
    )
    .updateTable("predictions")
    .from("next")
    .set({ lease_owner: runnerId, lease_expires_at: leaseUntil })
    .whereRef("predictions.seq", "=", "next.seq")
    .returning(PREDICTION_COLUMNS.map((c) => `predictions.${c}` as const))
    .executeTakeFirst();
  return row ? toPrediction(row) : null;
}
