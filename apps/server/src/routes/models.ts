// /v1/models: list, search (QUERY), get, readme (spec §2.5); examples and the catalog's own routes are in catalog.ts.
import type { FastifyInstance } from "fastify";
import { FerryError } from "@ferry/core";
import type { Model, Slice } from "@ferry/core";
import type { Engine } from "@ferry/engine";
import type { PublicUrls } from "../http/public-urls.js";
import { accountOf } from "../http/auth.js";
import { presentModel, presentModels } from "../serializers/present-model.js";
import { serializePage } from "../serializers/page.js";
import type { RouteDeps } from "./deps.js";

interface ListQuery {
  cursor?: string;
  sort_by?: "model_created_at" | "latest_version_created_at";
  sort_direction?: "asc" | "desc";
  /** Not in Replicate's API: lets the `next` URL of a QUERY search page be followed with GET. */
  query?: string;
}

const LIST_QUERY_SCHEMA = {
  type: "object",
  properties: {
    cursor: { type: "string" },
    sort_by: { type: "string", enum: ["model_created_at", "latest_version_created_at"] },
    sort_direction: { type: "string", enum: ["asc", "desc"] },
    query: { type: "string" },
  },
} as const;

const SEARCH_QUERY_SCHEMA = { type: "object", properties: { cursor: { type: "string" } } } as const;

const MODEL_PARAMS_SCHEMA = {
  type: "object",
  properties: { owner: { type: "string" }, name: { type: "string" } },
  required: ["owner", "name"],
} as const;

type ModelParams = { owner: string; name: string };

export function modelRoutes(v1: FastifyInstance, { engine, urls }: RouteDeps): void {
  v1.get<{ Querystring: ListQuery }>("/models", { schema: { querystring: LIST_QUERY_SCHEMA } }, async (request) => {
    const q = request.query;
    const viewer = accountOf(request);
    const cursor = q.cursor ?? null;
    const slice =
      q.query !== undefined
        ? await engine.models.search(viewer, q.query, { cursor })
        : await engine.models.list(viewer, { cursor, sortBy: q.sort_by, sortDirection: q.sort_direction });
    return modelPage(engine, urls, slice, urls.page("/v1/models", q, slice.nextCursor));
  });

  v1.route<{ Querystring: { cursor?: string }; Body: unknown }>({
    method: "QUERY",
    url: "/models",
    schema: { querystring: SEARCH_QUERY_SCHEMA },
    handler: async (request) => {
      const text = searchTextOf(request.body);
      const slice = await engine.models.search(accountOf(request), text, { cursor: request.query.cursor ?? null });
      return modelPage(engine, urls, slice, urls.page("/v1/models", { query: text }, slice.nextCursor));
    },
  });

  v1.get<{ Params: ModelParams }>("/models/:owner/:name", { schema: { params: MODEL_PARAMS_SCHEMA } }, async (request) => {
    const model = await engine.models.get(accountOf(request), request.params.owner, request.params.name);
    return presentModel(engine, urls, model);
  });

  v1.get<{ Params: ModelParams }>("/models/:owner/:name/readme", { schema: { params: MODEL_PARAMS_SCHEMA } }, async (request, reply) => {
    const model = await engine.models.get(accountOf(request), request.params.owner, request.params.name);
    if (model.readme === null) throw new FerryError("not_found", "This model has no README");
    return reply.type("text/plain; charset=utf-8").send(model.readme);
  });
}

async function modelPage(engine: Engine, urls: PublicUrls, slice: Slice<Model>, next: string | null) {
  return serializePage(await presentModels(engine, urls, slice.items), next);
}

/**
 * The search text of a QUERY body. The JS client JSON-encodes it (`"llama 3"` with the quotes), Python sends
 * it raw: a body that parses as a JSON string literal is unwrapped, anything else is used as it is (spec §2.5).
 */
export function searchTextOf(body: unknown): string {
  if (typeof body !== "string") {
    throw new FerryError("bad_request", "Send the search text as the request body, with Content-Type: text/plain");
  }
  const raw = body.trim();
  if (raw.startsWith('"')) {
    try {
      const value: unknown = JSON.parse(raw);
      if (typeof value === "string") return value.trim();
    } catch {
      // Not a JSON string: the quotes are part of the text.
    }
  }
  return raw;
}
