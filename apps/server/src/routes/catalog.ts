// The catalog's discovery routes: GET /v1/search, /v1/collections, /v1/collections/{slug} (spec §2.8) and
// GET /v1/models/{owner}/{name}/examples (spec §2.5).
import type { FastifyInstance } from "fastify";
import { FerryError } from "@ferry/core";
import { accountOf } from "../http/auth.js";
import { matchScore, serializeCollection, serializeCollectionItem } from "../serializers/catalog.js";
import type { SearchResponseJSON } from "../serializers/catalog.js";
import { serializePage } from "../serializers/page.js";
import { serializePrediction } from "../serializers/prediction.js";
import { presentModel, presentModels } from "../serializers/present-model.js";
import type { RouteDeps } from "./deps.js";

const DEFAULT_SEARCH_LIMIT = 20;
const MAX_SEARCH_LIMIT = 50;

const CURSOR_QUERY_SCHEMA = { type: "object", properties: { cursor: { type: "string" } } } as const;
const SLUG_PARAMS_SCHEMA = { type: "object", properties: { slug: { type: "string" } }, required: ["slug"] } as const;
const MODEL_PARAMS_SCHEMA = {
  type: "object",
  properties: { owner: { type: "string" }, name: { type: "string" } },
  required: ["owner", "name"],
} as const;

export function catalogRoutes(v1: FastifyInstance, { engine, urls }: RouteDeps): void {
  v1.get<{ Querystring: { query?: string; limit?: string } }>("/search", async (request): Promise<SearchResponseJSON> => {
    const viewer = accountOf(request);
    const text = request.query.query?.trim() ?? "";
    if (text === "") throw new FerryError("bad_request", 'Query parameter "query" is required');
    const limit = searchLimitOf(request.query.limit);
    const [models, collections] = await Promise.all([
      engine.models.search(viewer, text, { cursor: null, limit }),
      engine.catalog.searchCollections(viewer, text, limit),
    ]);
    return {
      query: text,
      models: await Promise.all(
        models.items.map(async (model) => ({
          model: await presentModel(engine, urls, model),
          metadata: { generated_description: null, tags: model.tags, score: matchScore(model, text) },
        })),
      ),
      collections: collections.map(({ collection, models: refs }) => ({ ...serializeCollectionItem(collection), models: refs })),
      pages: [],
    };
  });

  v1.get<{ Querystring: { cursor?: string } }>("/collections", { schema: { querystring: CURSOR_QUERY_SCHEMA } }, async (request) => {
    const slice = await engine.catalog.collections({ cursor: request.query.cursor ?? null });
    return serializePage(slice.items.map(serializeCollectionItem), urls.page("/v1/collections", request.query, slice.nextCursor));
  });

  v1.get<{ Params: { slug: string } }>("/collections/:slug", { schema: { params: SLUG_PARAMS_SCHEMA } }, async (request) => {
    const { collection, models } = await engine.catalog.collection(accountOf(request), request.params.slug);
    return serializeCollection(collection, await presentModels(engine, urls, models));
  });

  v1.get<{ Params: { owner: string; name: string }; Querystring: { cursor?: string } }>(
    "/models/:owner/:name/examples",
    { schema: { params: MODEL_PARAMS_SCHEMA, querystring: CURSOR_QUERY_SCHEMA } },
    async (request) => {
      const { owner, name } = request.params;
      const slice = await engine.catalog.examples(accountOf(request), owner, name, { cursor: request.query.cursor ?? null });
      return serializePage(
        slice.items.map((prediction) => serializePrediction(prediction, urls)),
        urls.page(`/v1/models/${owner}/${name}/examples`, request.query, slice.nextCursor),
      );
    },
  );
}

/** `limit` of GET /v1/search: a whole number from 1 to 50, default 20 (spec §2.8). */
function searchLimitOf(value: string | undefined): number {
  if (value === undefined || value === "") return DEFAULT_SEARCH_LIMIT;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SEARCH_LIMIT) {
    throw new FerryError("bad_request", `limit must be a whole number from 1 to ${MAX_SEARCH_LIMIT}`);
  }
  return limit;
}
