// Test helpers: a real webhook receiver on 127.0.0.1, JSON requests, bounded polling, and a served-model fixture.
import { createServer, type IncomingHttpHeaders } from "node:http";
import { createServer as createTcpServer, type AddressInfo } from "node:net";
import { serveModel, type ModelDefinition, type ModelServer, type PredictionSnapshot, type ServeOptions } from "../src/index.js";

export interface Delivery {
  body: PredictionSnapshot;
  headers: IncomingHttpHeaders;
}

export interface WebhookReceiver {
  url: string;
  deliveries: Delivery[];
  /** Status to answer for the n-th delivery (0-based); default 200. */
  respond: (index: number) => number;
  /** Waits until a delivery matches, bounded. */
  waitFor(predicate: (delivery: Delivery) => boolean, timeoutMs?: number): Promise<Delivery>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const waiters = new Set<() => void>();
  const receiver: WebhookReceiver = {
    url: "",
    deliveries: [],
    respond: () => 200,
    async waitFor(predicate, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = receiver.deliveries.find(predicate);
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no matching webhook within ${timeoutMs} ms (got ${receiver.deliveries.length})`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(wake, left);
          waiters.add(wake);
        });
      }
    },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
  let count = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const status = receiver.respond(count++);
      if (status < 300) {
        receiver.deliveries.push({ body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as PredictionSnapshot, headers: req.headers });
      }
      res.writeHead(status).end();
      for (const wake of [...waiters]) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return receiver;
}

export interface JsonResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
}

/** One JSON request to a served model. */
export async function call<T = Record<string, unknown>>(
  server: { port: number },
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse<T>> {
  const res = await fetch(`http://127.0.0.1:${server.port}${path}`, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

/** Polls until `check` returns a value (not undefined), bounded. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Serves a model on a free port and waits until health is READY (or the given status). */
export async function serveReady(
  def: ModelDefinition,
  options: Partial<ServeOptions> = {},
  status = "READY",
): Promise<ModelServer> {
  const server = await serveModel(def, { port: 0, echoLogs: false, throttleIntervalMs: 0, ...options });
  await eventually(async () => ((await call(server, "GET", "/health-check")).body["status"] === status ? true : undefined));
  return server;
}

/** A promise with its resolve function, to hold a model in place from a test. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** A TCP port free on 127.0.0.1 right now (for a child process that must be told its port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createTcpServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
