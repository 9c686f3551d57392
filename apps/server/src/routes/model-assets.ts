// Public files of built-in models, readable without a token (registered outside the authenticated scope):
// GET /v1/models/{owner}/{name}/cover, the cover image, and GET /v1/models/{owner}/{name}/files/examples/<path>,
// the example inputs their default examples are run with. Nothing else of a model's folder is ever served.
import { createReadStream } from "node:fs";
import type { FastifyInstance, FastifyReply } from "fastify";
import { FerryError } from "@ferry/core";
import { contentTypeOf, EXAMPLES_FOLDER, fileInside } from "../catalog/model-assets.js";
import type { ModelAssets } from "../catalog/model-assets.js";

/** Covers carry a content hash in their URL (?v=…) and example files change only with a new version. */
const CACHE_CONTROL = "public, max-age=86400";
const EXAMPLES_PREFIX = `${EXAMPLES_FOLDER}/`;

type AssetParams = { owner: string; name: string; "*"?: string };

export function modelAssetRoutes(open: FastifyInstance, { assets }: { assets: ModelAssets }): void {
  open.get<{ Params: AssetParams }>("/models/:owner/:name/cover", async (request, reply) => {
    const asset = assets.get(`${request.params.owner}/${request.params.name}`);
    const file = asset?.cover == null ? null : await fileInside(asset.folder, ".", asset.cover);
    if (file === null) throw new FerryError("not_found", "This model has no cover image");
    return send(reply, file, asset?.cover ?? "");
  });

  open.get<{ Params: AssetParams }>("/models/:owner/:name/files/*", async (request, reply) => {
    const asset = assets.get(`${request.params.owner}/${request.params.name}`);
    const path = request.params["*"] ?? "";
    const file =
      asset === undefined || !asset.public || !path.startsWith(EXAMPLES_PREFIX)
        ? null
        : await fileInside(asset.folder, EXAMPLES_FOLDER, path.slice(EXAMPLES_PREFIX.length));
    if (file === null) throw new FerryError("not_found", "No such example file");
    return send(reply, file, path);
  });
}

function send(reply: FastifyReply, file: { path: string; size: number }, name: string) {
  return reply
    .type(contentTypeOf(name))
    .header("content-length", String(file.size))
    .header("cache-control", CACHE_CONTROL)
    // Served from the API's origin: never sniffed into something that runs.
    .header("x-content-type-options", "nosniff")
    .header("content-security-policy", "sandbox")
    .send(createReadStream(file.path));
}
