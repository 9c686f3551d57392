// Turns every thrown error and every unknown route into problem+json; unexpected errors are logged without the body.
import type { FastifyInstance } from "fastify";
import { isFerryError } from "@ferry/core";
import { INTERNAL_PROBLEM, problemBody, problemFor, sendProblem } from "./problem.js";

/** Installs the error handler and the not-found handler on the root instance (they apply to every scope). */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const problem = problemFor(error);
    // A 429 tells when to come back (spec §1.5); the Python client honours it.
    const retryAfter = isFerryError(error) ? error.extra["retry_after"] : undefined;
    if (typeof retryAfter === "number") void reply.header("retry-after", String(retryAfter));
    if (problem) return sendProblem(reply, problem);
    // The request body is deliberately not logged: inputs may hold secrets (spec §6.1). The request id is.
    request.log.error({ err: error, method: request.method, route: request.routeOptions.url }, "unhandled error");
    return sendProblem(reply, INTERNAL_PROBLEM);
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, { status: 404, body: problemBody("Not found", `No route for ${request.method} ${request.url.split("?", 1)[0]}`, 404) }),
  );
}
