// /v1/models/{owner}/{name}/versions: list and get (spec §2.5).
import type { FastifyInstance } from "fastify";
import { accountOf } from "../http/auth.js";
import { serializeVersion } from "../serializers/model.js";
import { serializePage } from "../serializers/page.js";
import type { RouteDeps } from "./deps.js";

const LIST_PARAMS_SCHEMA = {
  type: "object",
  properties: { owner: { type: "string" }, name: { type: "string" } },
  required: ["owner", "name"],
} as const;

const GET_PARAMS_SCHEMA = {
  type: "object",
  properties: { owner: { type: "string" }, name: { type: "string" }, id: { type: "string" } },
  required: ["owner", "name", "id"],
} as const;

const LIST_QUERY_SCHEMA = { type: "object", properties: { cursor: { type: "string" } } } as const;

export function modelVersionRoutes(v1: FastifyInstance, { engine, urls }: RouteDeps): void {
  v1.get<{ Params: { owner: string; name: string }; Querystring: { cursor?: string } }>(
    "/models/:owner/:name/versions",
    { schema: { params: LIST_PARAMS_SCHEMA, querystring: LIST_QUERY_SCHEMA } },
    async (request) => {
      const { owner, name } = request.params;
      const slice = await engine.models.listVersions(accountOf(request), owner, name, { cursor: request.query.cursor ?? null });
      const next = urls.page(`/v1/models/${owner}/${name}/versions`, request.query, slice.nextCursor);
      return serializePage(slice.items.map(serializeVersion), next);
    },
  );

  v1.get<{ Params: { owner: string; name: string; id: string } }>(
    "/models/:owner/:name/versions/:id",
    { schema: { params: GET_PARAMS_SCHEMA } },
    async (request) => {
      const { owner, name, id } = request.params;
      return serializeVersion(await engine.models.getVersion(accountOf(request), owner, name, id));
    },
  );
}
