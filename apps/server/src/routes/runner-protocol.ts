// The runner protocol: every ControlPlane method over HTTP under /runner/v1, for runners on other machines
// (`ferry runner --api URL --token T`). A runner token (FERRY_RUNNER_TOKEN) authenticates them: never an
// account's token, never database credentials. JSON in and out; output files are streamed bodies; signals are a
// long-lived SSE stream. See docs/runners.md.
import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { FerryError } from "@ferry/core";
import type { ControlPlane, InstanceEvent, InstanceReport, PredictionEvent, RunnerRegistration, RunnerSignal } from "@ferry/core";
import { tokenOf } from "../http/auth.js";
import { SSE_HEADERS } from "../http/sse.js";

export const RUNNER_PROTOCOL_PREFIX = "/runner/v1";
/** Output files travel with this media type (their own type rides in OUTPUT_TYPE_HEADER), so no parser reads them. */
export const OUTPUT_MEDIA_TYPE = "application/x-ferry-output";
export const OUTPUT_TYPE_HEADER = "x-ferry-content-type";

export interface RunnerProtocolOptions {
  controlPlane: ControlPlane;
  /** Tokens a runner may present; none: the protocol answers 401 to everyone. */
  tokens: readonly string[];
  /** How often an idle signal stream gets a keep-alive comment. Default 15 000 ms. */
  keepAliveMs?: number;
}

/** Signals a slow runner may leave unread before its stream is cut (it reconnects and polls meanwhile). */
const MAX_PENDING_SIGNAL_BYTES = 1024 * 1024;
/** Events a runner reports; the others (cancels, deadlines, lost runners) are the control plane's own. */
const RUNNER_EVENTS = ["started", "output", "logs", "succeeded", "failed"] as const;

const ID = { type: "string", minLength: 1, maxLength: 200, pattern: "^[A-Za-z0-9._:-]+$" } as const;
const RUNNER_PARAMS = { type: "object", properties: { runnerId: ID }, required: ["runnerId"] } as const;
const PREDICTION_PARAMS = { type: "object", properties: { runnerId: ID, predictionId: ID }, required: ["runnerId", "predictionId"] } as const;

type RunnerParams = { runnerId: string };
type PredictionParams = RunnerParams & { predictionId: string };

/** Registers the runner protocol on its own scope (prefix RUNNER_PROTOCOL_PREFIX), outside account auth. */
export function runnerProtocolRoutes(scope: FastifyInstance, options: RunnerProtocolOptions): void {
  const { controlPlane } = options;
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  const tokens = options.tokens.map((t) => Buffer.from(t));
  const streams = new Set<() => void>();

  scope.addHook("onRequest", async (request) => {
    const presented = tokenOf(request.headers.authorization);
    if (tokens.length === 0) throw new FerryError("unauthenticated", "The runner protocol is off on this server: set FERRY_RUNNER_TOKEN to let runners in");
    if (presented === null || !tokens.some((t) => sameToken(t, Buffer.from(presented)))) {
      throw new FerryError("unauthenticated", "A runner must pass a runner token (FERRY_RUNNER_TOKEN) as a Bearer token");
    }
  });
  // The body of an output upload is streamed straight to the blob store.
  scope.addContentTypeParser(OUTPUT_MEDIA_TYPE, (_request, payload, done) => done(null, payload));
  // Signal streams never end on their own; closing the server must not wait for them.
  scope.addHook("preClose", async () => {
    for (const close of [...streams]) close();
  });

  scope.post<{ Body: RunnerRegistration }>(
    "/register",
    {
      schema: {
        body: {
          type: "object",
          required: ["runnerId", "name", "hardware", "resources", "maxInstances"],
          properties: {
            runnerId: ID,
            name: { type: "string", maxLength: 200 },
            hardware: { type: "array", minItems: 1, maxItems: 64, items: { type: "string", pattern: "^[a-z0-9][a-z0-9-]*$", maxLength: 64 } },
            resources: {
              type: "object",
              required: ["cpus", "memoryBytes", "gpus"],
              properties: {
                cpus: { type: "integer", minimum: 0 },
                memoryBytes: { type: "number", minimum: 0 },
                gpus: {
                  type: "array",
                  maxItems: 64,
                  items: { type: "object", required: ["name"], properties: { name: { type: "string" }, memoryBytes: { type: ["number", "null"] } } },
                },
              },
            },
            maxInstances: { type: "integer", minimum: 1, maximum: 1024 },
          },
        },
      },
    },
    async (request, reply) => {
      await controlPlane.registerRunner(request.body);
      return reply.code(204).send();
    },
  );

  scope.post<{ Params: RunnerParams; Body: { instances: InstanceReport[] } }>(
    "/runners/:runnerId/heartbeat",
    {
      schema: {
        params: RUNNER_PARAMS,
        body: {
          type: "object",
          required: ["instances"],
          properties: {
            instances: {
              type: "array",
              maxItems: 1024,
              items: { type: "object", required: ["id", "versionId", "state", "concurrency", "running", "startedAt"] },
            },
          },
        },
      },
    },
    async (request) => controlPlane.heartbeat(request.params.runnerId, request.body.instances),
  );

  scope.get("/work", async () => ({ work: await controlPlane.pendingWork() }));

  scope.get<{ Params: { versionId: string } }>(
    "/versions/:versionId/runtime",
    { schema: { params: { type: "object", properties: { versionId: ID }, required: ["versionId"] } } },
    async (request) => ({ version: await controlPlane.runtime(request.params.versionId) }),
  );

  scope.post<{ Params: RunnerParams; Body: { versionId: string } }>(
    "/runners/:runnerId/claims",
    { schema: { params: RUNNER_PARAMS, body: { type: "object", required: ["versionId"], properties: { versionId: ID } } } },
    async (request) => ({ assignment: await controlPlane.claim(request.params.runnerId, request.body.versionId) }),
  );

  scope.post<{ Params: PredictionParams; Body: { event: PredictionEvent } }>(
    "/runners/:runnerId/predictions/:predictionId/events",
    {
      schema: {
        params: PREDICTION_PARAMS,
        body: {
          type: "object",
          required: ["event"],
          properties: { event: { type: "object", required: ["type"], properties: { type: { type: "string", enum: [...RUNNER_EVENTS] } } } },
        },
      },
    },
    async (request) => {
      const { runnerId, predictionId } = request.params;
      const event = request.body.event;
      if (event.type === "logs" && typeof event.text !== "string") throw new FerryError("validation_failed", "A logs event needs text");
      if (event.type === "failed" && typeof event.error !== "string") throw new FerryError("validation_failed", "A failed event needs an error");
      return controlPlane.report(runnerId, predictionId, event);
    },
  );

  scope.post<{ Params: PredictionParams; Body: { reason?: string } }>(
    "/runners/:runnerId/predictions/:predictionId/release",
    { schema: { params: PREDICTION_PARAMS, body: { type: "object", properties: { reason: { type: "string", maxLength: 10_000 } } } } },
    async (request, reply) => {
      const { runnerId, predictionId } = request.params;
      const reason = request.body.reason;
      await (reason === undefined ? controlPlane.release(runnerId, predictionId) : controlPlane.release(runnerId, predictionId, reason));
      return reply.code(204).send();
    },
  );

  scope.post<{ Params: RunnerParams; Body: { predictionIds: string[] } }>(
    "/runners/:runnerId/leases",
    {
      schema: {
        params: RUNNER_PARAMS,
        body: { type: "object", required: ["predictionIds"], properties: { predictionIds: { type: "array", maxItems: 10_000, items: ID } } },
      },
    },
    async (request, reply) => {
      await controlPlane.renewLeases(request.params.runnerId, request.body.predictionIds);
      return reply.code(204).send();
    },
  );

  scope.post<{ Params: RunnerParams; Body: { event: InstanceEvent } }>(
    "/runners/:runnerId/instance-events",
    {
      schema: {
        params: RUNNER_PARAMS,
        body: {
          type: "object",
          required: ["event"],
          properties: {
            event: {
              type: "object",
              required: ["type", "instanceId", "versionId", "at"],
              properties: {
                type: { type: "string", enum: ["booting", "ready", "setup_failed", "crashed", "stopped"] },
                instanceId: ID,
                versionId: ID,
                at: { type: "string", maxLength: 64 },
              },
            },
          },
        },
      },
    },
    async (request, reply) => {
      await controlPlane.instanceEvent(request.params.runnerId, request.body.event);
      return reply.code(204).send();
    },
  );

  scope.put<{ Params: PredictionParams & { name: string } }>(
    "/runners/:runnerId/predictions/:predictionId/outputs/:name",
    {
      schema: {
        params: {
          type: "object",
          properties: { runnerId: ID, predictionId: ID, name: { type: "string", minLength: 1, maxLength: 255 } },
          required: ["runnerId", "predictionId", "name"],
        },
      },
    },
    async (request: FastifyRequest<{ Params: PredictionParams & { name: string } }>, reply: FastifyReply) => {
      if (request.headers["content-type"]?.split(";")[0]?.trim() !== OUTPUT_MEDIA_TYPE) {
        throw new FerryError("bad_request", `Output files are uploaded with Content-Type: ${OUTPUT_MEDIA_TYPE}`);
      }
      const header = request.headers[OUTPUT_TYPE_HEADER];
      const contentType = (Array.isArray(header) ? header[0] : header)?.trim() || "application/octet-stream";
      const { runnerId, predictionId, name } = request.params;
      const body = request.body as AsyncIterable<Uint8Array>;
      const { url } = await controlPlane.uploadOutput(runnerId, predictionId, { name, contentType, body });
      return reply.code(201).send({ url });
    },
  );

  scope.get("/signals", { exposeHeadRoute: false }, async (request, reply) => {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, SSE_HEADERS);
    raw.flushHeaders();
    const write = (text: string): void => {
      if (raw.destroyed) return;
      raw.write(text);
      if (raw.writableLength > MAX_PENDING_SIGNAL_BYTES) raw.destroy();
    };
    // Tells the runner the stream is live, so it can tell a connected stream from one still connecting.
    write(": connected\n\n");
    const unsubscribe = controlPlane.subscribe((signal: RunnerSignal) => write(`data: ${JSON.stringify(signal)}\n\n`));
    const keepAlive = setInterval(() => write(": keep-alive\n\n"), keepAliveMs);
    keepAlive.unref();
    const close = (): void => {
      unsubscribe();
      clearInterval(keepAlive);
      streams.delete(close);
      if (!raw.destroyed) raw.end();
    };
    streams.add(close);
    raw.once("close", close);
    request.log.debug("a runner subscribed to signals");
  });
}

function sameToken(expected: Buffer, presented: Buffer): boolean {
  return expected.length === presented.length && timingSafeEqual(expected, presented);
}
