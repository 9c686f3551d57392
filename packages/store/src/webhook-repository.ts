// The webhook outbox: messages (one per delivery, its id the webhook-id header), the claim a sender takes on due
// ones, the attempt log, and each account's signing secret. The claim predicate matches webhook_messages_due.
import { newWebhookSecret } from "@ferry/core";
import type { AccountRepository, WebhookAttempt, WebhookMessage, WebhookRepository } from "@ferry/core";
import { sql } from "kysely";
import type { Kysely } from "kysely";
import type { StoreContext } from "./context.js";
import type { Database, Dialect } from "./schema.js";
import { fromAttempt, fromMessage, MESSAGE_COLUMNS, toAttempt, toMessage } from "./webhook-rows.js";

const PENDING = sql.lit("pending");
/** PostgreSQL bounds the parameters of one statement; long lists are written in chunks. */
const ROWS_PER_INSERT = 200;

/**
 * Inserts messages on `db`, which may be a transaction: predictions.update writes the completed message with
 * the terminal status this way (prediction-repository.ts).
 */
export async function insertWebhookMessages(db: Kysely<Database>, dialect: Dialect, messages: readonly WebhookMessage[]): Promise<void> {
  for (let start = 0; start < messages.length; start += ROWS_PER_INSERT) {
    const rows = messages.slice(start, start + ROWS_PER_INSERT).map((m) => fromMessage(dialect, m));
    await db.insertInto("webhook_messages").values(rows).execute();
  }
}

export function createWebhookRepository(ctx: StoreContext): {
  webhooks: WebhookRepository;
  accounts: Pick<AccountRepository, "webhookSecret">;
} {
  const { db, dialect } = ctx;
  const claim = dialect === "postgres" ? claimPostgres : claimSqlite;
  return {
    webhooks: {
      enqueue: (messages) => insertWebhookMessages(db, dialect, messages),

      async claimDue(now, claimUntil, limit) {
        const rows = await claim(db, now, claimUntil, Math.max(1, Math.trunc(limit)));
        // RETURNING gives no order; deliver in the order they were written.
        return rows.sort((a, b) => Number(a.seq) - Number(b.seq)).map(toMessage);
      },

      async recordAttempt(attempt, next) {
        await db.transaction().execute(async (trx) => {
          // Two senders can only overlap on one message after a claim lapsed; the first record of a number wins.
          await trx
            .insertInto("webhook_attempts")
            .values(fromAttempt(attempt))
            .onConflict((oc) => oc.columns(["message_id", "attempt"]).doNothing())
            .execute();
          await trx
            .updateTable("webhook_messages")
            .set({
              status: next.status,
              attempts: attempt.attempt,
              next_attempt_at: next.nextAttemptAt,
              last_status_code: next.lastStatusCode,
              last_error: next.lastError,
              delivered_at: next.deliveredAt,
              // A finished message keeps no copy of the prediction (retention removes the prediction's data).
              ...(next.status === "pending" ? {} : { body: null }),
            })
            .where("id", "=", attempt.messageId)
            .execute();
        });
      },

      async get(id) {
        const row = await db.selectFrom("webhook_messages").select(MESSAGE_COLUMNS).where("id", "=", id).executeTakeFirst();
        return row ? toMessage(row) : null;
      },

      async listForPrediction(predictionId) {
        const messages = await db
          .selectFrom("webhook_messages")
          .select(MESSAGE_COLUMNS)
          .where("prediction_id", "=", predictionId)
          .orderBy("seq")
          .execute();
        if (messages.length === 0) return [];
        const attempts = await db
          .selectFrom("webhook_attempts")
          .innerJoin("webhook_messages", "webhook_messages.id", "webhook_attempts.message_id")
          .selectAll("webhook_attempts")
          .where("webhook_messages.prediction_id", "=", predictionId)
          .orderBy("webhook_attempts.message_id")
          .orderBy("webhook_attempts.attempt")
          .execute();
        const byMessage = new Map<string, WebhookAttempt[]>();
        for (const row of attempts) {
          const list = byMessage.get(row.message_id) ?? [];
          list.push(toAttempt(row));
          byMessage.set(row.message_id, list);
        }
        return messages.map((row) => ({ message: toMessage(row), attempts: byMessage.get(row.id) ?? [] }));
      },

      async requeue(id, now) {
        const result = await db
          .updateTable("webhook_messages")
          .set({ status: "pending", next_attempt_at: now, delivered_at: null })
          .where("id", "=", id)
          .executeTakeFirst();
        return Number(result.numUpdatedRows) > 0;
      },
    },

    accounts: {
      async webhookSecret(accountId) {
        // Set only while unset, then read: two nodes making it at once agree on the one that was written first.
        await db
          .updateTable("accounts")
          .set({ webhook_secret: newWebhookSecret() })
          .where("id", "=", accountId)
          .where("webhook_secret", "is", null)
          .execute();
        const row = await db.selectFrom("accounts").select("webhook_secret").where("id", "=", accountId).executeTakeFirst();
        if (row?.webhook_secret == null) throw new Error(`account ${accountId} does not exist`);
        return row.webhook_secret;
      },
    },
  };
}

/** One statement, so SQLite runs it under its single write lock: no two senders claim one message. */
async function claimSqlite(db: Kysely<Database>, now: string, claimUntil: string, limit: number) {
  return db
    .updateTable("webhook_messages")
    .set({ next_attempt_at: claimUntil })
    .where("seq", "in", (eb) =>
      eb
        .selectFrom("webhook_messages")
        .select("seq")
        .where("status", "=", PENDING)
        .where("next_attempt_at", "<=", now)
        .orderBy("next_attempt_at")
        .orderBy("seq")
        .limit(limit),
    )
    .returning(["seq", ...MESSAGE_COLUMNS])
    .execute();
}

/** SKIP LOCKED lets senders on other nodes pass over the rows this one is claiming. */
async function claimPostgres(db: Kysely<Database>, now: string, claimUntil: string, limit: number) {
  return db
    .with("due", (qc) =>
      qc
        .selectFrom("webhook_messages")
        .select("seq")
        .where("status", "=", PENDING)
        .where("next_attempt_at", "<=", now)
        .orderBy("next_attempt_at")
        .orderBy("seq")
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .updateTable("webhook_messages")
    .from("due")
    .set({ next_attempt_at: claimUntil })
    .whereRef("webhook_messages.seq", "=", "due.seq")
    .returning(["webhook_messages.seq", ...MESSAGE_COLUMNS.map((c) => `webhook_messages.${c}` as const)])
    .execute();
}
