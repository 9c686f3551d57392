// /v1/predictions: create from a version, list, get, cancel (spec §2.1–§2.4).
import type { FastifyInstance } from "fastify";
import { FerryError } from "@ferry/core";
import { accountOf } from "../http/auth.js";
import { serializePage } from "../serializers/page.js";
import { serializePrediction } from "../serializers/prediction.js";
import { CREATE_WITH_VERSION_SCHEMA, createPrediction } from "./create-prediction.js";
import type { CreatePredictionBody } from "./create-prediction.js";
import type { RouteDeps } from "./deps.js";

interface ListQuery {
  cursor?: string;
  created_after?: string;
  created_before?: string;
  source?: "api" | "web";
}

const LIST_QUERY_SCHEMA = {
  type: "object",
  properties: {
    cursor: { type: "string" },
    created_after: { type: "string" },
    created_before: { type: "string" },
    source: { type: "string", enum: ["api", "web"] },
  },
} as const;

const ID_PARAMS_SCHEMA = { type: "object", properties: { id: { type: "string" } }, required: ["id"] } as const;

export function predictionRoutes(v1: FastifyInstance, deps: RouteDeps): void {
  const { engine, urls } = deps;

  v1.post<{ Body: CreatePredictionBody & { version: string } }>(
    "/predictions",
    { schema: { body: CREATE_WITH_VERSION_SCHEMA } },
    (request, reply) => createPrediction(deps, request, reply, { kind: "version", ref: request.body.version }),
  );

  v1.get<{ Querystring: ListQuery }>("/predictions", { schema: { querystring: LIST_QUERY_SCHEMA } }, async (request) => {
    const q = request.query;
    const slice = await engine.predictions.list(accountOf(request), {
      cursor: q.cursor ?? null,
      createdAfter: isoTime(q.created_after, "created_after"),
      createdBefore: isoTime(q.created_before, "created_before"),
      source: q.source,
    });
    const results = slice.items.map((p) => serializePrediction(p, urls));
    return serializePage(results, urls.page("/v1/predictions", q, slice.nextCursor));
  });

  v1.get<{ Params: { id: string } }>("/predictions/:id", { schema: { params: ID_PARAMS_SCHEMA } }, async (request) =>
    serializePrediction(await engine.predictions.get(accountOf(request), request.params.id), urls),
  );

  v1.post<{ Params: { id: string } }>("/predictions/:id/cancel", { schema: { params: ID_PARAMS_SCHEMA } }, async (request) =>
    serializePrediction(await engine.predictions.cancel(accountOf(request), request.params.id), urls),
  );
}

/** Normalizes an ISO-8601 filter to the store's form (UTC, Z); a value that is not a time is a 400. */
function isoTime(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new FerryError("validation_failed", `${name} must be an ISO-8601 date-time`);
  return new Date(ms).toISOString();
}
