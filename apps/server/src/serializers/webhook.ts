// Webhook JSON at the edge: a delivery-log entry (GET /v1/predictions/{id}/webhooks, a Ferry extension), and the
// body renderer the engine signs and sends, which is exactly what GET /v1/predictions/{id} returns.
import type { Prediction } from "@ferry/core";
import type { WebhookDelivery } from "@ferry/engine";
import { createPublicUrls } from "../http/public-urls.js";
import { serializePrediction } from "./prediction.js";

export interface WebhookAttemptJSON {
  attempt: number;
  at: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

export interface WebhookDeliveryJSON {
  /** The webhook-id header: the same on every attempt. */
  id: string;
  event: string;
  url: string;
  status: "pending" | "delivered" | "failed";
  attempts: WebhookAttemptJSON[];
  created_at: string;
  delivered_at: string | null;
  /** When the next attempt is due while pending (a Ferry field; null once done). */
  next_attempt_at: string | null;
}

export function serializeWebhookDelivery({ message, attempts }: WebhookDelivery): WebhookDeliveryJSON {
  return {
    id: message.id,
    event: message.event,
    url: message.url,
    status: message.status,
    attempts: attempts.map((a) => ({ attempt: a.attempt, at: a.at, status_code: a.statusCode, error: a.error, duration_ms: a.durationMs })),
    created_at: message.createdAt,
    delivered_at: message.deliveredAt,
    next_attempt_at: message.status === "pending" ? message.nextAttemptAt : null,
  };
}

/** EngineDeps.renderPrediction: a webhook's body is the prediction as GET returns it, urls.stream included. */
export function webhookBodyRenderer(publicUrl: string): (prediction: Prediction, signingKey: string) => unknown {
  let cached: { key: string; urls: ReturnType<typeof createPublicUrls> } | null = null;
  return (prediction, signingKey) => {
    if (cached === null || cached.key !== signingKey) cached = { key: signingKey, urls: createPublicUrls(publicUrl, signingKey) };
    return serializePrediction(prediction, cached.urls);
  };
}
