// The runner's side of the Cog HTTP protocol (spec/cog-protocol.md §1): node:http over one keep-alive agent,
// because a dispatch is on the hot path of every prediction and fetch adds overhead there.
import { Agent, request } from "node:http";
import type { WebhookEvent } from "@ferry/core";

/** A response of an instance: the HTTP status and the parsed JSON body (null when empty or not JSON). */
export interface CogResponse {
  status: number;
  body: unknown;
}

/** The `/health-check` body (always HTTP 200); every field but `status` may be absent. */
export interface CogHealth {
  status: string;
  setup?: { logs?: string; status?: string | null };
}

export interface CogPredictRequest {
  input: Record<string, unknown>;
  /** Where the instance posts its snapshots (the runner's webhook receiver). */
  webhook: string;
}

export interface CogClient {
  /** GET /health-check with a hard timeout. Rejects on connection errors, timeouts and non-200 answers. */
  health(baseUrl: string, timeoutMs: number): Promise<CogHealth>;
  /**
   * PUT /predictions/{id}, asynchronous (`Prefer: respond-async`), with the output, logs and completed webhooks
   * requested (not `start`: the 202 already tells the runner the prediction started). The 202 may carry the
   * terminal snapshot instead of a completed webhook (INLINE_COMPLETION_HEADER).
   */
  predict(baseUrl: string, id: string, body: CogPredictRequest, timeoutMs?: number): Promise<CogResponse>;
  /** POST /predictions/{id}/cancel: 200 when the cancel was signalled, 404 when the id is not running. */
  cancel(baseUrl: string, id: string, timeoutMs?: number): Promise<CogResponse>;
  /** POST /shutdown: asks the instance to stop. */
  shutdown(baseUrl: string, timeoutMs?: number): Promise<CogResponse>;
  /** Closes the pooled connections. */
  close(): void;
}

/** Every event but `start`: a start webhook would only cost the instance and the runner one more round trip. */
const RUNNER_WEBHOOK_EVENTS: readonly WebhookEvent[] = ["output", "logs", "completed"];

/**
 * @ferry/sdk's INLINE_COMPLETION_HEADER: a Ferry instance may then put the terminal snapshot of a prediction that
 * ended at once in the 202 and send no completed webhook. Other Cog servers ignore it.
 */
export const INLINE_COMPLETION_HEADER = "ferry-inline-completion";

export function createCogClient(): CogClient {
  // As many idle sockets are kept as may be busy, so a burst of dispatches does not open new connections.
  const agent = new Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64 });
  const origins = new Map<string, { hostname: string; port: string; prefix: string }>();

  /** The host, port and path prefix of an instance's base URL, parsed once rather than on every request. */
  const originOf = (baseUrl: string) => {
    let origin = origins.get(baseUrl);
    if (origin === undefined) {
      const url = new URL(baseUrl);
      origin = { hostname: url.hostname, port: url.port || "80", prefix: url.pathname.replace(/\/+$/, "") };
      if (origins.size >= 1_000) origins.clear();
      origins.set(baseUrl, origin);
    }
    return origin;
  };

  const call = (method: string, baseUrl: string, path: string, timeoutMs: number, body?: unknown, headers: Record<string, string> = {}) =>
    new Promise<CogResponse>((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const { hostname, port, prefix } = originOf(baseUrl);
      const req = request(
        {
          hostname,
          port,
          path: prefix + path,
          agent,
          method,
          headers: {
            accept: "application/json",
            ...(payload ? { "content-type": "application/json", "content-length": String(payload.length) } : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", fail);
          res.on("end", () => {
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, body: parseJson(Buffer.concat(chunks).toString("utf8")) });
          });
        },
      );
      const timer = setTimeout(() => req.destroy(new Error(`${method} ${baseUrl}${path} timed out after ${timeoutMs} ms`)), timeoutMs);
      function fail(error: Error): void {
        clearTimeout(timer);
        reject(error);
      }
      req.on("error", fail);
      req.end(payload);
    });

  return {
    async health(baseUrl, timeoutMs) {
      const res = await call("GET", baseUrl, "/health-check", timeoutMs);
      if (res.status !== 200 || !isHealth(res.body)) throw new Error(`health-check answered HTTP ${res.status}`);
      return res.body;
    },
    predict(baseUrl, id, body, timeoutMs = 60_000) {
      const request = { id, input: body.input, webhook: body.webhook, webhook_events_filter: RUNNER_WEBHOOK_EVENTS };
      return call("PUT", baseUrl, `/predictions/${encodeURIComponent(id)}`, timeoutMs, request, {
        prefer: "respond-async",
        [INLINE_COMPLETION_HEADER]: "1",
      });
    },
    cancel(baseUrl, id, timeoutMs = 5_000) {
      return call("POST", baseUrl, `/predictions/${encodeURIComponent(id)}/cancel`, timeoutMs, {});
    },
    shutdown(baseUrl, timeoutMs = 2_000) {
      return call("POST", baseUrl, "/shutdown", timeoutMs, {});
    },
    close() {
      agent.destroy();
    },
  };
}

function parseJson(text: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function isHealth(value: unknown): value is CogHealth {
  return typeof value === "object" && value !== null && typeof (value as { status?: unknown }).status === "string";
}
