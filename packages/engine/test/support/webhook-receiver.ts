// A real HTTP receiver on 127.0.0.1 for webhook tests: records every request and answers as the test says.
import { createServer } from "node:http";
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A status to answer with, a redirect, or "hang" (never answer). */
export type ReceiverAnswer = number | { redirect: string } | "hang";

export interface Receiver {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  requests: ReceivedRequest[];
  /** Changes how later requests are answered; `index` counts every request so far (0-based). */
  answer(decide: (request: ReceivedRequest, index: number) => ReceiverAnswer): void;
  close(): Promise<void>;
}

export async function startReceiver(decide: (request: ReceivedRequest, index: number) => ReceiverAnswer = () => 204): Promise<Receiver> {
  let answer = decide;
  const requests: ReceivedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      const index = requests.push(request) - 1;
      const reply = answer(request, index);
      if (reply === "hang") {
        hanging.add(res);
        return;
      }
      if (typeof reply === "object") {
        res.writeHead(302, { location: reply.redirect }).end();
        return;
      }
      res.writeHead(reply, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answer(next) {
      answer = next;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
