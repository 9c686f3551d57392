// JSON shapes of the Cog HTTP protocol this server speaks (cog-protocol §1.4, §1.6, §1.11, §1.13).

/** A prediction's status, lowercase as Cog sends it. */
export type PredictionStatus = "starting" | "processing" | "succeeded" | "failed" | "canceled";

/** Webhook event types a request may filter on. */
export type WebhookEventType = "start" | "output" | "logs" | "completed";

export const WEBHOOK_EVENT_TYPES: readonly WebhookEventType[] = ["start", "output", "logs", "completed"];

/** The whole prediction state, as returned by sync requests and POSTed to webhooks. */
export interface PredictionSnapshot {
  id: string;
  status: PredictionStatus;
  input: Record<string, unknown>;
  /** null until produced; for iterator outputs the array of items so far. */
  output: unknown;
  logs: string;
  error: string | null;
  metrics: Record<string, number>;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
}

/** Instance health, UPPER_CASE as Cog sends it. */
export type HealthStatus = "STARTING" | "READY" | "BUSY" | "SETUP_FAILED" | "DEFUNCT";

export type SetupStatus = "starting" | "succeeded" | "failed";

/** Body of `GET /health-check` (always HTTP 200). */
export interface HealthBody {
  status: HealthStatus;
  setup: {
    started_at: string;
    completed_at: string | null;
    status: SetupStatus;
    logs: string;
  } | null;
  /** Set when DEFUNCT: why the instance cannot serve any more. */
  error?: string;
}

/** One FastAPI-style validation error entry. */
export interface ValidationDetail {
  loc: (string | number)[];
  msg: string;
  type: string;
}

export function isTerminal(status: PredictionStatus): boolean {
  return status === "succeeded" || status === "failed" || status === "canceled";
}
