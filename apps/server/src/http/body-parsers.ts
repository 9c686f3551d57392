// Body parsers the official clients need: JSON that may be empty (GET, DELETE and cancel carry the JSON
// content type with no body) and text/plain (model search).
import type { FastifyInstance } from "fastify";

/** Replaces Fastify's JSON parser with one that reads an empty body as "no body" instead of failing. */
export function installBodyParsers(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    if (body.length === 0) {
      done(null, undefined);
      return;
    }
    void parseJson(request, body as string, done);
  });
  // text/plain is parsed as a string by Fastify's own default parser; it stays.
}
