// GET /health: no auth, no /v1 prefix; the server only listens once the engine and runner are up.
import type { FastifyInstance } from "fastify";

const BODY = JSON.stringify({ status: "ok" });

export function healthRoutes(app: FastifyInstance): void {
  app.get("/health", (_request, reply) => reply.type("application/json; charset=utf-8").send(BODY));
}
