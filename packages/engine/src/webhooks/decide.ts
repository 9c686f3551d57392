// Pure webhook decisions: which messages a transition makes (from its "webhook" effects, the prediction's URL
// and webhook_events_filter) and what an attempt's outcome does to a message (delivered, retried, failed).
import { newWebhookMessageId, wantsWebhookEvent, webhookRetryDelayMs } from "@ferry/core";
import type { Prediction, PredictionEffect, WebhookEvent, WebhookMessage, WebhookMessageStatus } from "@ferry/core";

/** The intermediate events the throttle spaces out; `start` and `completed` always go out. */
export type ThrottledEvent = "output" | "logs";

/** The webhook events of a transition that this prediction subscribed to, in the order the effects list them. */
export function subscribedEvents(prediction: Pick<Prediction, "webhook" | "webhookEventsFilter">, effects: readonly PredictionEffect[]): WebhookEvent[] {
  if (prediction.webhook === null) return [];
  const events: WebhookEvent[] = [];
  for (const effect of effects) {
    if (effect.type === "webhook" && wantsWebhookEvent(prediction.webhookEventsFilter, effect.event)) events.push(effect.event);
  }
  return events;
}

export function isThrottled(event: WebhookEvent): event is ThrottledEvent {
  return event === "output" || event === "logs";
}

/**
 * A new pending message for `prediction`, due at `now`. Only `completed` is durable (retried); its body is
 * null, so the sender renders the prediction as it is then (terminal). Others carry the body they report.
 */
export function newMessage(prediction: Pick<Prediction, "id" | "accountId" | "webhook">, event: WebhookEvent, now: string, body: string | null): WebhookMessage {
  if (prediction.webhook === null) throw new Error(`prediction ${prediction.id} has no webhook`);
  return {
    id: newWebhookMessageId(),
    predictionId: prediction.id,
    accountId: prediction.accountId,
    event,
    url: prediction.webhook,
    status: "pending",
    durable: event === "completed",
    attempts: 0,
    nextAttemptAt: now,
    lastStatusCode: null,
    lastError: null,
    body: event === "completed" ? null : body,
    createdAt: now,
    deliveredAt: null,
  };
}

/** What one HTTP attempt came to: a status code when the receiver answered, an error when it did not (or not 2xx). */
export interface AttemptOutcome {
  statusCode: number | null;
  error: string | null;
}

export interface MessageUpdate {
  status: WebhookMessageStatus;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: string | null;
}

export function isDelivered(outcome: AttemptOutcome): boolean {
  return outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300;
}

/**
 * The message's state after attempt number `attempt` (1-based) ended at `now`: delivered on a 2xx; otherwise a
 * durable message is due again after webhookRetryDelayMs(attempt) until the schedule runs out, then failed;
 * an intermediate message fails after its one attempt.
 */
export function afterAttempt(message: Pick<WebhookMessage, "durable">, attempt: number, outcome: AttemptOutcome, now: Date): MessageUpdate {
  const last = { lastStatusCode: outcome.statusCode, lastError: outcome.error };
  if (isDelivered(outcome)) return { status: "delivered", nextAttemptAt: null, deliveredAt: now.toISOString(), ...last };
  const delay = message.durable ? webhookRetryDelayMs(attempt) : null;
  if (delay === null) return { status: "failed", nextAttemptAt: null, deliveredAt: null, ...last };
  return { status: "pending", nextAttemptAt: new Date(now.getTime() + delay).toISOString(), deliveredAt: null, ...last };
}
