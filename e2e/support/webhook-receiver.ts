// A webhook receiver as a user would write one, on 127.0.0.1: every request is checked with the official
// client's validateWebhook (a fetch Request, raw body) and recorded. It can answer with a chosen status, and
// it can be started on a port chosen before (so a receiver that was down comes back on the same URL).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { validateWebhook } from "replicate";

export interface Delivery {
  path: string;
  id: string;
  timestamp: number;
  /** Whether validateWebhook accepted it with the account's secret. */
  valid: boolean;
  /** The parsed body: the prediction. */
  prediction: { id: string; status: string; output: unknown; logs: string };
  receivedAt: number;
}

export interface WebhookReceiver {
  url: string;
  port: number;
  deliveries: Delivery[];
  /** The status the next requests get; `decide` sees how many came before (0-based). */
  answer(decide: (index: number) => number): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(secret: string, port = 0): Promise<WebhookReceiver> {
  let decide = (_index: number) => 200;
  const deliveries: Delivery[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const headers = new Headers(Object.entries(req.headers).map(([name, value]) => [name, String(value)]));
      const request = new Request(`http://127.0.0.1${req.url ?? "/"}`, { method: req.method ?? "POST", headers, body });
      const receivedAt = Date.now();
      const record = (valid: boolean): number =>
        deliveries.push({
          path: req.url ?? "",
          id: headers.get("webhook-id") ?? "",
          timestamp: Number(headers.get("webhook-timestamp")),
          valid,
          prediction: JSON.parse(body) as Delivery["prediction"],
          receivedAt,
        }) - 1;
      // Recorded once checked, so a test never reads a delivery whose check is still running.
      validateWebhook(request, secret).then(
        (valid) => res.writeHead(decide(record(valid))).end(),
        () => {
          record(false);
          res.writeHead(400).end();
        },
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    deliveries,
    answer(next) {
      decide = next;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Waits until `check` holds, bounded. */
export async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
