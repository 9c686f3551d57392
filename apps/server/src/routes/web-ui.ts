// The web UI: the built single-page app (apps/web/dist) at `/`. Paths the API owns keep their own 404s; any other
// GET gets index.html, so a page's URL (a prediction's `urls.web`, `/p/<id>`) opens that page in the app.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

/** Where `vite build` writes the UI (apps/web/dist), from this file's place in apps/server/src/routes. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL("../../../web/dist", import.meta.url));

/** Path prefixes that are never the UI's, even when nothing matched them. */
const API_PREFIXES = ["/v1/", "/auth/", "/health", "/metrics"];

export interface WebUiOptions {
  /** The folder holding index.html and assets/. Default: apps/web/dist. */
  root?: string;
}

/** Serves the UI when it has been built; returns false (and serves nothing) when index.html is missing. */
export async function webUiRoutes(app: FastifyInstance, options: WebUiOptions = {}): Promise<boolean> {
  const root = options.root ?? DEFAULT_WEB_ROOT;
  if (!existsSync(`${root}/index.html`)) return false;

  await app.register(async (web) => {
    // Only reply.sendFile: the two routes below decide what is a file and what is a page.
    await web.register(fastifyStatic, { root, serve: false, cacheControl: false });

    // Vite names assets by content hash, so they can be cached for good.
    web.get<{ Params: { "*": string } }>("/assets/*", async (request, reply) => {
      reply.header("cache-control", "public, max-age=31536000, immutable");
      return reply.sendFile(`assets/${request.params["*"]}`);
    });

    web.get("/*", async (request, reply) => {
      const path = request.url.split("?", 1)[0] ?? "/";
      if (path === "/v1" || API_PREFIXES.some((prefix) => path.startsWith(prefix))) return reply.callNotFound();
      // index.html must always be fresh: it names the current assets.
      reply.header("cache-control", "no-cache");
      return reply.sendFile("index.html");
    });
  });
  return true;
}
