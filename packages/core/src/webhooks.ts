// Webhook delivery rules shared by the engine and its tests: Standard Webhooks signing (spec §4.2), message ids,
// secrets, the retry schedule of the terminal delivery, and the throttle of intermediate ones.
import { createHmac, randomBytes } from "node:crypto";
import type { WebhookEvent } from "./wire.js";

/** `whsec_` + standard base64 of 24 random bytes: one underscore, no `_` in the key (the clients split on it). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString("base64")}`;
}

/** `msg_` + 24 url-safe characters (Svix style); the same id is sent on every retry of one message. */
export function newWebhookMessageId(): string {
  return `msg_${randomBytes(18).toString("base64url")}`;
}

/** `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>` with the key decoded from the secret. */
export function signWebhook(secret: string, messageId: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.slice(secret.indexOf("_") + 1), "base64");
  const signature = createHmac("sha256", key).update(`${messageId}.${timestampSeconds}.${body}`).digest("base64");
  return `v1,${signature}`;
}

/**
 * Delay before retry number `attempt` (1-based) of a terminal delivery, or null when it gives up.
 * 1 s, 2 s, 4 s … 512 s: ten retries over about 17 minutes after the first attempt.
 */
export function webhookRetryDelayMs(attempt: number): number | null {
  if (attempt < 1 || attempt > WEBHOOK_MAX_RETRIES) return null;
  return 1000 * 2 ** (attempt - 1);
}

export const WEBHOOK_MAX_RETRIES = 10;
/** Intermediate (`output`, `logs`) deliveries go out at most this often, carrying the latest state. */
export const WEBHOOK_THROTTLE_MS = 500;
/** Each attempt gets this long to answer with a 2xx. */
export const WEBHOOK_ATTEMPT_TIMEOUT_MS = 10_000;

/** Which events a prediction subscribed to: `webhook_events_filter`, all four by default. */
export function wantsWebhookEvent(filter: readonly WebhookEvent[] | null, event: WebhookEvent): boolean {
  return filter === null || filter.length === 0 || filter.includes(event);
}
