// Per-request log lines at debug, so a busy server at info writes only what matters (errors, lifecycle).
import { LogController } from "fastify";
import type { FastifyReply, FastifyRequest } from "fastify";

/** Fastify's request logging, moved to debug for success; 5xx completions stay at error. Bodies are never logged. */
export class RequestLog extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, "incoming request");
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) {
      reply.log.error({ res: reply, err: error, responseTime: reply.elapsedTime }, "request errored");
    } else if (reply.statusCode >= 500) {
      reply.log.warn({ req: request, res: reply, responseTime: reply.elapsedTime }, "request completed");
    } else {
      reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, "request completed");
    }
  }

  override routeNotFound(request: FastifyRequest): void {
    request.log.debug({ method: request.method, url: request.url }, "route not found");
  }
}
