// One webhook POST over keep-alive agents: resolves with the HTTP status, rejects on connection errors and timeouts.
import http from "node:http";
import https from "node:https";

/** Shared keep-alive agents: a runner receiving thousands of webhooks must not pay a TCP handshake per event. */
export interface WebhookAgents {
  http: http.Agent;
  https: https.Agent;
  destroy(): void;
}

export function createWebhookAgents(): WebhookAgents {
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64 });
  return {
    http: httpAgent,
    https: httpsAgent,
    destroy() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

export interface PostOptions {
  agents: WebhookAgents;
  headers: Record<string, string>;
  timeoutMs: number;
}

/** POSTs a JSON body and drains the response so the socket goes back to the pool. */
export function postJson(url: URL, body: string, options: PostOptions): Promise<number> {
  const secure = url.protocol === "https:";
  const request = secure ? https.request : http.request;
  return new Promise<number>((resolve, reject) => {
    const req = request(url, {
      method: "POST",
      agent: secure ? options.agents.https : options.agents.http,
      headers: {
        ...options.headers,
        "content-type": "application/json",
        "content-length": String(Buffer.byteLength(body)),
      },
    });
    req.setTimeout(options.timeoutMs, () => req.destroy(new Error(`webhook timed out after ${options.timeoutMs} ms`)));
    req.on("error", reject);
    req.on("response", (res) => {
      res.on("error", reject);
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.resume();
    });
    req.end(body);
  });
}
