// Webhook message and attempt rows ↔ domain records (booleans as 0/1 or boolean, PostgreSQL integers as numbers).
import type { Selectable } from "kysely";
import type { WebhookAttempt, WebhookMessage, WebhookMessageStatus } from "@ferry/core";
import { dbBool } from "./rows.js";
import type { Dialect, WebhookAttemptsTable, WebhookMessagesTable } from "./schema.js";

export type MessageRow = Omit<Selectable<WebhookMessagesTable>, "seq">;

export const MESSAGE_COLUMNS = [
  "id",
  "prediction_id",
  "account_id",
  "event",
  "url",
  "status",
  "durable",
  "attempts",
  "next_attempt_at",
  "last_status_code",
  "last_error",
  "body",
  "created_at",
  "delivered_at",
] as const satisfies readonly (keyof MessageRow)[];

export function fromMessage(dialect: Dialect, m: WebhookMessage) {
  return {
    id: m.id,
    prediction_id: m.predictionId,
    account_id: m.accountId,
    event: m.event,
    url: m.url,
    status: m.status,
    durable: dbBool(dialect, m.durable),
    attempts: m.attempts,
    next_attempt_at: m.nextAttemptAt,
    last_status_code: m.lastStatusCode,
    last_error: m.lastError,
    body: m.body ?? null,
    created_at: m.createdAt,
    delivered_at: m.deliveredAt,
  };
}

export function toMessage(row: MessageRow): WebhookMessage {
  return {
    id: row.id,
    predictionId: row.prediction_id,
    accountId: row.account_id,
    event: row.event as WebhookMessage["event"],
    url: row.url,
    status: row.status as WebhookMessageStatus,
    durable: Boolean(row.durable),
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at,
    lastStatusCode: row.last_status_code === null ? null : Number(row.last_status_code),
    lastError: row.last_error,
    body: row.body,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
  };
}

export function fromAttempt(a: WebhookAttempt): Selectable<WebhookAttemptsTable> {
  return {
    message_id: a.messageId,
    attempt: a.attempt,
    at: a.at,
    status_code: a.statusCode,
    error: a.error,
    duration_ms: Math.max(0, Math.round(a.durationMs)),
  };
}

export function toAttempt(row: Selectable<WebhookAttemptsTable>): WebhookAttempt {
  return {
    messageId: row.message_id,
    attempt: Number(row.attempt),
    at: row.at,
    statusCode: row.status_code === null ? null : Number(row.status_code),
    error: row.error,
    durationMs: Number(row.duration_ms),
  };
}
