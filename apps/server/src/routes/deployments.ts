// /v1/deployments (spec §2.7): create, list, get, update (a new release), delete, and predictions through one.
import type { FastifyInstance } from "fastify";
import type { UpdateDeploymentRequest } from "@ferry/engine";
import { accountOf } from "../http/auth.js";
import { serializeDeployment, serializeDeploymentLive } from "../serializers/deployment.js";
import { serializePage } from "../serializers/page.js";
import { CREATE_FOR_MODEL_SCHEMA, createPrediction } from "./create-prediction.js";
import type { CreatePredictionBody } from "./create-prediction.js";
import type { RouteDeps } from "./deps.js";

/** The fields a release sets; snake_case as on the wire. The last three are Ferry's extensions. */
interface ReleaseBody {
  model?: string;
  version?: string;
  hardware?: string;
  min_instances?: number;
  max_instances?: number;
  max_queue?: number | null;
  fallback?: string | null;
  retry_crashed?: boolean;
}

type CreateBody = Required<Pick<ReleaseBody, "model" | "version" | "hardware" | "min_instances" | "max_instances">> &
  ReleaseBody & { name: string };

// Types only: ranges and the meaning of each field are checked by the engine, which reports them all at once.
const RELEASE_PROPERTIES = {
  model: { type: "string" },
  version: { type: "string" },
  hardware: { type: "string" },
  min_instances: { type: "integer" },
  max_instances: { type: "integer" },
  max_queue: { type: ["integer", "null"] },
  fallback: { type: ["string", "null"] },
  retry_crashed: { type: "boolean" },
} as const;

const CREATE_SCHEMA = {
  type: "object",
  required: ["name", "model", "version", "hardware", "min_instances", "max_instances"],
  properties: { name: { type: "string" }, ...RELEASE_PROPERTIES },
} as const;

const UPDATE_SCHEMA = { type: "object", properties: RELEASE_PROPERTIES } as const;

const PARAMS_SCHEMA = {
  type: "object",
  properties: { owner: { type: "string" }, name: { type: "string" } },
  required: ["owner", "name"],
} as const;

type Params = { owner: string; name: string };

export function deploymentRoutes(v1: FastifyInstance, deps: RouteDeps): void {
  const { engine, urls } = deps;

  v1.get<{ Querystring: { cursor?: string } }>(
    "/deployments",
    { schema: { querystring: { type: "object", properties: { cursor: { type: "string" } } } } },
    async (request) => {
      const slice = await engine.deployments.list(accountOf(request), { cursor: request.query.cursor ?? null });
      return serializePage(slice.items.map(serializeDeployment), urls.page("/v1/deployments", request.query, slice.nextCursor));
    },
  );

  v1.post<{ Body: CreateBody }>("/deployments", { schema: { body: CREATE_SCHEMA } }, async (request, reply) => {
    const body = request.body;
    const created = await engine.deployments.create(accountOf(request), {
      name: body.name,
      ...releaseChanges(body),
      model: body.model,
      version: body.version,
      hardware: body.hardware,
      minInstances: body.min_instances,
      maxInstances: body.max_instances,
    });
    reply.code(201);
    return serializeDeployment(created);
  });

  v1.get<{ Params: Params }>("/deployments/:owner/:name", { schema: { params: PARAMS_SCHEMA } }, async (request) => {
    const { owner, name } = request.params;
    const view = await engine.deployments.get(accountOf(request), owner, name);
    // The live view (releases, instances, queue, latency) comes with the single deployment only: lists stay cheap.
    const history = await engine.deployments.history(accountOf(request), owner, name);
    const instances = engine.scheduler.instancesOf(view.deployment.currentRelease.versionId);
    return { ...serializeDeployment(view), ...serializeDeploymentLive(history, instances, engine.scheduler.recentLatencies(`${owner}/${name}`)) };
  });

  v1.patch<{ Params: Params; Body: ReleaseBody }>(
    "/deployments/:owner/:name",
    { schema: { params: PARAMS_SCHEMA, body: UPDATE_SCHEMA } },
    async (request) =>
      serializeDeployment(
        await engine.deployments.update(accountOf(request), request.params.owner, request.params.name, releaseChanges(request.body ?? {})),
      ),
  );

  v1.delete<{ Params: Params }>("/deployments/:owner/:name", { schema: { params: PARAMS_SCHEMA } }, async (request, reply) => {
    await engine.deployments.delete(accountOf(request), request.params.owner, request.params.name);
    return reply.code(204).send();
  });

  v1.post<{ Params: Params; Body: CreatePredictionBody }>(
    "/deployments/:owner/:name/predictions",
    { schema: { params: PARAMS_SCHEMA, body: CREATE_FOR_MODEL_SCHEMA } },
    (request, reply) => createPrediction(deps, request, reply, { kind: "deployment", owner: request.params.owner, name: request.params.name }),
  );
}

/** snake_case body → the engine's request; keys the client did not send stay absent ("only changed fields"). */
function releaseChanges(body: ReleaseBody): UpdateDeploymentRequest {
  const out: UpdateDeploymentRequest = {};
  if (body.model !== undefined) out.model = body.model;
  if (body.version !== undefined) out.version = body.version;
  if (body.hardware !== undefined) out.hardware = body.hardware;
  if (body.min_instances !== undefined) out.minInstances = body.min_instances;
  if (body.max_instances !== undefined) out.maxInstances = body.max_instances;
  if (body.max_queue !== undefined) out.maxQueue = body.max_queue;
  if (body.fallback !== undefined) out.fallback = body.fallback;
  if (body.retry_crashed !== undefined) out.retryCrashed = body.retry_crashed;
  return out;
}
