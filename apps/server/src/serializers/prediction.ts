// Prediction → PredictionJSON: every key the OAS requires is always present (null where empty) (spec §3.1).
import type { Prediction, PredictionJSON, Status } from "@ferry/core";
import type { PublicUrls } from "../http/public-urls.js";
import { startTimings } from "./prediction-timing.js";

/**
 * Serializes a prediction. `status` overrides the stored status: a sync wait that ran out reports
 * "starting" so the clients keep polling instead of returning partial output (spec §2.2).
 */
export function serializePrediction(p: Prediction, urls: PublicUrls, status: Status = p.status): PredictionJSON {
  const json: PredictionJSON = {
    id: p.id,
    model: p.model,
    version: p.versionId,
    input: p.input,
    output: p.output === undefined ? null : p.output,
    logs: p.logs ?? "",
    error: p.error,
    status,
    source: p.source,
    data_removed: p.dataRemoved,
    created_at: p.createdAt,
    started_at: p.startedAt,
    completed_at: p.completedAt,
    metrics: withStartTimings(p),
    urls: urls.prediction(p.id),
  };
  const stream = urls.stream(p);
  if (stream !== null) json.urls.stream = stream;
  if (p.deadline !== null) json.deadline = p.deadline;
  if (p.deployment != null) json.deployment = p.deployment;
  if (p.fallbackFrom != null) json.fallback_from = p.fallbackFrom;
  if (p.webhook !== null) json.webhook = p.webhook;
  if (p.webhookEventsFilter !== null) json.webhook_events_filter = p.webhookEventsFilter;
  // An extra key: the official clients ignore it.
  if (p.timeline !== undefined) json.timeline = p.timeline;
  return json;
}

/** The stored metrics plus queue_time and boot_time once the prediction has started. */
function withStartTimings(p: Prediction): NonNullable<PredictionJSON["metrics"]> {
  const timings = startTimings(p);
  return timings === null ? (p.metrics ?? {}) : { ...p.metrics, ...timings };
}
