// /v1/files (spec §2.9): upload, list, get and delete the caller's own files, and the signed download that
// needs no token (registered outside the authenticated scope by app.ts).
import { Readable } from "node:stream";
import multipart from "@fastify/multipart";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { accountOf } from "../http/auth.js";
import { receiveUpload } from "../http/multipart-upload.js";
import type { PublicUrls } from "../http/public-urls.js";
import type { FileService } from "../files/file-service.js";
import { serializeFile } from "../serializers/file.js";
import { serializePage } from "../serializers/page.js";

export interface FileRouteDeps {
  files: FileService;
  urls: PublicUrls;
}

const ID_PARAMS_SCHEMA = { type: "object", properties: { id: { type: "string" } }, required: ["id"] } as const;
const LIST_QUERY_SCHEMA = { type: "object", properties: { cursor: { type: "string" } } } as const;
const DOWNLOAD_QUERY_SCHEMA = {
  type: "object",
  properties: { owner: { type: "string" }, expiry: { type: "string" }, signature: { type: "string" } },
} as const;

/** The authenticated routes; multipart parsing is enabled for this scope only. */
export async function fileRoutes(v1: FastifyInstance, { files, urls }: FileRouteDeps): Promise<void> {
  await v1.register(async (scope) => {
    // Over the size limit a part is truncated, not thrown: multipart-upload.ts answers 413 once the body is read.
    await scope.register(multipart, { throwFileSizeLimit: false });

    scope.post("/files", async (request, reply) => {
      const account = accountOf(request);
      const { staged, details } = await receiveUpload(request, files);
      try {
        const file = await files.create(account, staged, details);
        return await reply.code(201).send(serializeFile(file, urls));
      } catch (error) {
        await files.discard(staged);
        throw error;
      }
    });

    scope.get<{ Querystring: { cursor?: string } }>("/files", { schema: { querystring: LIST_QUERY_SCHEMA } }, async (request) => {
      const slice = await files.list(accountOf(request), request.query.cursor ?? null);
      return serializePage(
        slice.items.map((file) => serializeFile(file, urls)),
        urls.page("/v1/files", request.query, slice.nextCursor),
      );
    });

    scope.get<{ Params: { id: string } }>("/files/:id", { schema: { params: ID_PARAMS_SCHEMA } }, async (request) =>
      serializeFile(await files.get(accountOf(request), request.params.id), urls),
    );

    scope.delete<{ Params: { id: string } }>("/files/:id", { schema: { params: ID_PARAMS_SCHEMA } }, async (request, reply) => {
      await files.delete(accountOf(request), request.params.id);
      return reply.code(204).send();
    });
  });
}

/**
 * GET /v1/files/{id}/download?owner=&expiry=&signature=: the bytes, to anyone holding a valid, unexpired link.
 * `/download/{name}` is the same link with the file's name in the path (output files carry it for their extension).
 */
export function fileDownloadRoutes(v1: FastifyInstance, { files }: Pick<FileRouteDeps, "files">): void {
  const handler = async (
    request: FastifyRequest<{ Params: { id: string }; Querystring: { owner?: string; expiry?: string; signature?: string } }>,
    reply: FastifyReply,
  ): Promise<FastifyReply> => {
    const { owner = "", expiry = "", signature = "" } = request.query;
    const { file, body } = await files.openDownload({ id: request.params.id, owner, expiry, signature });
    return reply
      .type(file.contentType)
      .header("content-length", String(file.size))
      .header("content-disposition", contentDisposition(file.name))
      .header("cache-control", "private")
      .header("etag", `"${file.md5}"`)
      // Uploaded HTML must not run as a page of the API's origin.
      .header("x-content-type-options", "nosniff")
      .header("content-security-policy", "sandbox")
      .send(body instanceof Readable ? body : Readable.from(body));
  };
  const options = { schema: { params: ID_PARAMS_SCHEMA, querystring: DOWNLOAD_QUERY_SCHEMA } };
  v1.get("/files/:id/download", options, handler);
  v1.get("/files/:id/download/:name", options, handler);
}

/** `inline` with the name, ASCII-safe in `filename` and exact in RFC 5987's `filename*`. */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `inline; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
