// The runner's own 127.0.0.1 server. Its webhook endpoint takes the snapshots instances POST to
// /instances/{id}/predictions/{id}, handed over in arrival order (the answer is immediate, processing happens
// behind it); other routes (input files, the upload sink) are passed in.
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "@ferry/core";
import type { CogSnapshot } from "./snapshot-events.js";

export type SnapshotHandler = (instanceId: string, predictionId: string, snapshot: CogSnapshot) => void;

/** Another route of the runner's server: answers and returns true when the request is for it. */
export type ExtraRoute = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly baseUrl: string;
  /** The webhook URL an instance gets for one prediction. */
  urlFor(instanceId: string, predictionId: string): string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 128 * 1024 * 1024;
const ROUTE = /^\/instances\/([^/]+)\/predictions\/([^/?]+)$/;

/** Listens on 127.0.0.1 on a port the OS picks. */
export function startWebhookReceiver(onSnapshot: SnapshotHandler, log: Logger, routes: ExtraRoute[] = []): Promise<WebhookReceiver> {
  const server = createServer((req, res) => handle(req, res));

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const match = req.method === "POST" ? ROUTE.exec(req.url ?? "") : null;
    if (match === null) {
      if (routes.some((route) => route(req, res))) return;
      res.writeHead(404).end();
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        res.writeHead(413).end();
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (res.headersSent) return;
      let snapshot: unknown;
      try {
        snapshot = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        res.writeHead(400).end();
        return;
      }
      if (typeof snapshot !== "object" || snapshot === null) {
        res.writeHead(400).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
      onSnapshot(decodeURIComponent(match[1] ?? ""), decodeURIComponent(match[2] ?? ""), snapshot as CogSnapshot);
    });
    req.on("error", (error) => log.debug({ error: error.message }, "webhook request failed"));
  }

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      resolve({
        baseUrl: `http://127.0.0.1:${port}`,
        urlFor: (instanceId, predictionId) =>
          `http://127.0.0.1:${port}/instances/${encodeURIComponent(instanceId)}/predictions/${encodeURIComponent(predictionId)}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
