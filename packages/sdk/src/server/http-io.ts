// Minimal JSON request/response helpers over node:http (the server uses no framework, to stay small and fast).
import type { IncomingMessage, ServerResponse } from "node:http";

/** Cog (coglet) caps prediction bodies at 100 MiB. */
const MAX_BODY_BYTES = 100 * 1024 * 1024;

export type BodyResult = { ok: true; value: unknown } | { ok: false; status: number; body: unknown };

/** Reads and parses a JSON body; an empty body is `null`. */
export function readJsonBody(req: IncomingMessage): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("error", () => resolve({ ok: false, status: 400, body: { detail: "Request body could not be read" } }));
    req.on("end", () => {
      if (tooLarge) return resolve({ ok: false, status: 413, body: { detail: "Request body too large" } });
      const text = Buffer.concat(chunks).toString("utf8");
      if (text.trim().length === 0) return resolve({ ok: true, value: null });
      try {
        resolve({ ok: true, value: JSON.parse(text) as unknown });
      } catch {
        resolve({
          ok: false,
          status: 422,
          body: { detail: [{ loc: ["body", 0], msg: "JSON decode error", type: "value_error.jsondecode" }] },
        });
      }
    });
  });
}

/** Sends a JSON body (an object, or text already serialized). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
