// The create-prediction flow both create routes share: headers (Prefer, Cancel-After), legacy webhook fields,
// one engine call, the optional sync wait, and a 201 with Location.
import type { FastifyReply, FastifyRequest } from "fastify";
import { FerryError, WEBHOOK_EVENTS, isTerminal } from "@ferry/core";
import type { PredictionJSON, WebhookEvent } from "@ferry/core";
import type { PredictionTarget } from "@ferry/engine";
import { accountOf } from "../http/auth.js";
import { parseCancelAfter } from "../http/cancel-after.js";
import { parsePreferWait } from "../http/prefer-wait.js";
import { serializePrediction } from "../serializers/prediction.js";
import type { RouteDeps } from "./deps.js";

/** The body of both create routes; unknown keys (the JS client spreads extra options in) are ignored. */
export interface CreatePredictionBody {
  version?: string;
  input?: unknown;
  webhook?: string | null;
  webhook_events_filter?: WebhookEvent[] | null;
  /** Legacy: a webhook that only receives the completed event. */
  webhook_completed?: string | null;
  /** Deprecated and ignored: urls.stream is always given when the model can stream. */
  stream?: unknown;
}

const BODY_PROPERTIES = {
  input: {},
  webhook: { type: ["string", "null"] },
  webhook_events_filter: { type: ["array", "null"], items: { type: "string", enum: [...WEBHOOK_EVENTS] } },
  webhook_completed: { type: ["string", "null"] },
  stream: {},
} as const;

/** POST /v1/predictions: `version` is required. */
export const CREATE_WITH_VERSION_SCHEMA = {
  type: "object",
  required: ["version"],
  properties: { version: { type: "string" }, ...BODY_PROPERTIES },
} as const;

/** POST /v1/models/{owner}/{name}/predictions: no version, the model's latest runs. */
export const CREATE_FOR_MODEL_SCHEMA = { type: "object", properties: BODY_PROPERTIES } as const;

type CreateRequest = FastifyRequest<{ Body: CreatePredictionBody }>;

export async function createPrediction(
  { engine, urls, waits }: RouteDeps,
  request: CreateRequest,
  reply: FastifyReply,
  target: PredictionTarget,
): Promise<PredictionJSON> {
  const account = accountOf(request);
  const body = request.body;
  const wait = parsePreferWait(single(request.headers.prefer));
  const cancelAfterMs = parseCancelAfter(single(request.headers["cancel-after"]));
  const { webhook, webhookEventsFilter } = webhookOf(body);

  let prediction = await engine.predictions.create(account, {
    target,
    input: body.input,
    webhook,
    webhookEventsFilter,
    source: "api",
    cancelAfterMs,
  });
  // The request's log lines (request id) tie to the prediction's (engine and runner lines carry its id).
  request.log.debug({ prediction: prediction.id, model: prediction.model }, "prediction created");
  let status = prediction.status;
  if (wait !== null) {
    if (!isTerminal(prediction.status)) prediction = await waits.wait(prediction.id, wait.seconds, reply);
    // A wait that ran out reports "starting": the clients treat anything else as finished (spec §2.2).
    status = isTerminal(prediction.status) ? prediction.status : "starting";
    reply.header("preference-applied", wait.applied);
  }
  const json = serializePrediction(prediction, urls, status);
  reply.code(201).header("location", json.urls.get);
  return json;
}

/** A repeated header arrives as an array; its values read as one comma-separated list. */
function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(", ") : value;
}

function webhookOf(body: CreatePredictionBody): { webhook: string | null; webhookEventsFilter: WebhookEvent[] | null } {
  const webhook = body.webhook ?? null;
  if (webhook !== null) {
    checkWebhookUrl(webhook, "webhook");
    return { webhook, webhookEventsFilter: body.webhook_events_filter ?? null };
  }
  const legacy = body.webhook_completed ?? null;
  if (legacy !== null) {
    checkWebhookUrl(legacy, "webhook_completed");
    return { webhook: legacy, webhookEventsFilter: ["completed"] };
  }
  return { webhook: null, webhookEventsFilter: null };
}

function checkWebhookUrl(value: string, field: string): void {
  const url = URL.canParse(value) ? new URL(value) : null;
  if (url === null || (url.protocol !== "https:" && url.protocol !== "http:")) {
    throw new FerryError("validation_failed", `${field} must be an absolute http:// or https:// URL`);
  }
}
