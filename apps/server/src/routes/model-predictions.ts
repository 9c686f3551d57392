// POST /v1/models/{owner}/{name}/predictions: run a model's latest version by name (spec §2.5).
import type { FastifyInstance } from "fastify";
import { CREATE_FOR_MODEL_SCHEMA, createPrediction } from "./create-prediction.js";
import type { CreatePredictionBody } from "./create-prediction.js";
import type { RouteDeps } from "./deps.js";

const PARAMS_SCHEMA = {
  type: "object",
  properties: { owner: { type: "string" }, name: { type: "string" } },
  required: ["owner", "name"],
} as const;

export function modelPredictionRoutes(v1: FastifyInstance, deps: RouteDeps): void {
  v1.post<{ Params: { owner: string; name: string }; Body: CreatePredictionBody }>(
    "/models/:owner/:name/predictions",
    { schema: { params: PARAMS_SCHEMA, body: CREATE_FOR_MODEL_SCHEMA } },
    (request, reply) =>
      createPrediction(deps, request, reply, { kind: "model", owner: request.params.owner, name: request.params.name }),
  );
}
