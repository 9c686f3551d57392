// The SSE stream of a prediction (spec §5): GET /v1/streams/{token} for text, GET /v1/files/streams/{token} for
// file outputs (the JS client turns output events into FileOutputs by that prefix). No token is needed: the
// capability token in the URL is the proof; a forged or unknown one is a 404.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { FerryError, parseStreamToken } from "@ferry/core";
import type { Engine, StreamEvent, StreamSubscription } from "@ferry/engine";
import { startSse } from "../http/sse.js";
import type { SseWriter } from "../http/sse.js";

export interface StreamRouteOptions {
  engine: Engine;
  /** How often an idle stream gets a keep-alive comment. Default 15 000 ms. */
  keepAliveMs?: number;
  /** Output a client may leave unread before it is disconnected. Default 16 MiB. */
  maxPendingBytes?: number;
}

const TOKEN_PARAMS_SCHEMA = { type: "object", properties: { token: { type: "string" } }, required: ["token"] } as const;

type StreamRequest = FastifyRequest<{ Params: { token: string } }>;

/** Registers both stream routes on a scope without authentication; open streams end when the server closes. */
export function streamRoutes(open: FastifyInstance, options: StreamRouteOptions): void {
  const { engine } = options;
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  const maxPendingBytes = options.maxPendingBytes ?? 16 * 1024 * 1024;
  const active = new Set<() => void>();

  // Streams never end on their own while a prediction runs; closing the server must not wait for them.
  open.addHook("preClose", async () => {
    for (const close of [...active]) close();
  });

  async function stream(request: StreamRequest, reply: FastifyReply): Promise<void> {
    const predictionId = parseStreamToken(await engine.signingKey(), request.params.token);
    if (predictionId === null) throw new FerryError("not_found", "Stream not found");

    // Replayed events arrive while subscribe() runs, before the response can start (it may still be a 404).
    const early: StreamEvent[] = [];
    let deliver: (event: StreamEvent) => void = (event) => early.push(event);
    const subscription = await engine.streams.subscribe(predictionId, lastEventIdOf(request), (event) => deliver(event));
    if (subscription === null) throw new FerryError("not_found", "Stream not found");

    reply.hijack();
    const sse = startSse(reply.raw, maxPendingBytes);
    let keepAlive: NodeJS.Timeout | null = null;
    const close = (): void => {
      subscription.unsubscribe();
      if (keepAlive !== null) clearInterval(keepAlive);
      active.delete(close);
      sse.end();
    };
    deliver = (event) => send(sse, event, close);
    for (const event of early) deliver(event);
    // A client that left while the replay was being read gets nothing more, and holds nothing.
    const gone = sse.closed || reply.raw.socket?.destroyed === true;
    if (gone || finishedWithoutDone(subscription, early)) return close();

    active.add(close);
    // The response's close: the client went away (or the stream ended); no subscription is left behind.
    reply.raw.once("close", close);
    keepAlive = setInterval(() => sse.keepAlive(), keepAliveMs);
    keepAlive.unref();
  }

  // No automatic HEAD twin: it would open a subscription that never sends a body.
  const route = { schema: { params: TOKEN_PARAMS_SCHEMA }, exposeHeadRoute: false } as const;
  open.get("/streams/:token", route, stream);
  open.get("/files/streams/:token", route, stream);
}

function send(sse: SseWriter, event: StreamEvent, close: () => void): void {
  sse.send(event);
  if (event.event === "done" || sse.closed) close();
}

/** A finished replay after a Last-Event-ID past `done` holds no events: there is still nothing to wait for. */
function finishedWithoutDone(subscription: StreamSubscription, early: StreamEvent[]): boolean {
  return subscription.finished && !early.some((event) => event.event === "done");
}

function lastEventIdOf(request: StreamRequest): string | null {
  const header = request.headers["last-event-id"];
  return (Array.isArray(header) ? header[0] : header) ?? null;
}
