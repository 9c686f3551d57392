// The Cog HTTP endpoints (cog-protocol §1.2–§1.9) mapped onto one instance.
import type { IncomingMessage, ServerResponse } from "node:http";
import { readJsonBody, sendJson } from "./http-io.js";
import type { Instance } from "./instance.js";
import { checkInput, checkPredictionRequest } from "./validation.js";
import { isTerminal } from "./wire.js";

const DISCOVERY = JSON.stringify({
  cog_version: "0.1.0",
  docs_url: "/docs",
  openapi_url: "/openapi.json",
  shutdown_url: "/shutdown",
  healthcheck_url: "/health-check",
  predictions_url: "/predictions",
  predictions_idempotent_url: "/predictions/{prediction_id}",
  predictions_cancel_url: "/predictions/{prediction_id}/cancel",
});

const PREDICTION_PATH = /^\/predictions\/([^/]+)$/;
const CANCEL_PATH = /^\/predictions\/([^/]+)\/cancel$/;

/**
 * Ferry's runner sends this header with an async PUT: it takes the terminal snapshot from the 202 when the
 * prediction ended before the answer went out, so the instance then sends no completed webhook. Without the
 * header an async request gets Cog's behaviour: 202 at once, the completed webhook later.
 */
export const INLINE_COMPLETION_HEADER = "ferry-inline-completion";

export interface RouteHooks {
  /** Called after `POST /shutdown` has been answered. */
  onShutdown(): void;
}

/** Returns the node:http request listener. */
export function createRequestHandler(instance: Instance, hooks: RouteHooks) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    route(instance, hooks, req, res).catch((error: unknown) => {
      sendJson(res, 500, { detail: error instanceof Error ? error.message : String(error) });
    });
  };
}

async function route(instance: Instance, hooks: RouteHooks, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? "/";
  const query = url.indexOf("?");
  const path = query === -1 ? url : url.slice(0, query);
  const method = req.method ?? "GET";
  const allow = (expected: string) => {
    if (method === expected) return true;
    sendJson(res, 405, { detail: "Method Not Allowed" });
    return false;
  };

  if (path === "/") {
    if (allow("GET")) sendJson(res, 200, DISCOVERY);
  } else if (path === "/health-check") {
    if (allow("GET")) sendJson(res, 200, instance.health());
  } else if (path === "/openapi.json") {
    if (!allow("GET")) return;
    const openapi = instance.openapiJson();
    if (openapi === null) sendJson(res, 503, { error: "Schema is not available yet: the model has not loaded" });
    else sendJson(res, 200, openapi);
  } else if (path === "/predictions") {
    if (allow("POST")) await createPrediction(instance, req, res, null);
  } else if (path === "/shutdown") {
    if (!allow("POST")) return;
    sendJson(res, 200, {});
    hooks.onShutdown();
  } else if (CANCEL_PATH.test(path)) {
    if (!allow("POST")) return;
    const id = decodeURIComponent(CANCEL_PATH.exec(path)![1]!);
    sendJson(res, instance.cancel(id) ? 200 : 404, {});
  } else if (PREDICTION_PATH.test(path)) {
    if (allow("PUT")) await createPrediction(instance, req, res, decodeURIComponent(PREDICTION_PATH.exec(path)![1]!));
  } else {
    sendJson(res, 404, { detail: "Not Found" });
  }
}

/** POST /predictions (pathId null) and PUT /predictions/{id}. */
async function createPrediction(instance: Instance, req: IncomingMessage, res: ServerResponse, pathId: string | null) {
  const body = await readJsonBody(req);
  if (!body.ok) return sendJson(res, body.status, body.body);
  const checked = checkPredictionRequest(body.value);
  if (!checked.ok) return sendJson(res, 422, { detail: checked.detail });
  const request = checked.value;
  if (pathId !== null) {
    if (request.id !== null && request.id !== pathId) {
      const msg = "prediction ID must match the ID supplied in the URL";
      return sendJson(res, 422, { detail: [{ loc: ["body", "id"], msg, type: "value_error" }] });
    }
    request.id = pathId;
  }
  if (request.id !== null) {
    const existing = instance.find(request.id);
    if (existing && pathId !== null) return sendJson(res, 202, existing.snapshot());
    if (existing) return sendJson(res, 409, { error: `Prediction ${request.id} is already running`, status: "failed" });
  }
  const reason = instance.unavailable();
  const model = instance.model();
  if (reason !== null || model === null) return sendJson(res, 503, { error: reason ?? "Model not loaded", status: "failed" });
  const input = await checkInput(model.input, request.input);
  if (!input.ok) return sendJson(res, 422, { detail: input.detail });

  const async = req.headers["prefer"] === "respond-async";
  const inline = async && pathId !== null && req.headers[INLINE_COMPLETION_HEADER] === "1";
  const outcome = instance.start(request, input.value, { holdTerminal: inline });
  switch (outcome.kind) {
    case "busy":
      return sendJson(res, 409, { error: "At capacity - all prediction slots busy", status: "failed" });
    case "unavailable":
      return sendJson(res, 503, { error: outcome.reason, status: "failed" });
    case "in_flight":
      return sendJson(res, 202, outcome.prediction.snapshot());
    case "started":
      break;
  }
  const prediction = outcome.prediction;
  if (inline) {
    // predict starts on the next turn (prediction.ts); a quick one has ended when this one comes.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const snapshot = prediction.snapshot();
    outcome.releaseTerminal(isTerminal(snapshot.status) && !res.destroyed);
    return sendJson(res, 202, snapshot);
  }
  if (async) return sendJson(res, 202, prediction.snapshot());
  // Sync: a client that hangs up no longer wants the result, so the slot is freed by canceling.
  const onClose = () => {
    if (!res.writableEnded) prediction.cancel();
  };
  res.on("close", onClose);
  const final = await prediction.done;
  res.off("close", onClose);
  sendJson(res, 200, final);
}
