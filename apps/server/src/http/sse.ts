// Server-sent events on a raw Node response (spec §5.2): the exact headers the clients check, the event framing
// with multi-line data split into `data:` lines, keep-alive comments, and no buffering between us and the client.
import type { ServerResponse } from "node:http";
import type { StreamEvent } from "@ferry/engine";

/** Python's client rejects any other media type (spec §5.2). */
export const SSE_HEADERS = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache",
  connection: "keep-alive",
  // Tells nginx-style proxies not to hold events back.
  "x-accel-buffering": "no",
} as const;

/** One event: `event:`, `id:`, one `data:` line per line of data (parsers rejoin them with "\n"), a blank line. */
export function formatEvent(event: StreamEvent): string {
  let text = `event: ${event.event}\nid: ${event.id}\n`;
  for (const line of event.data.split(/\r\n|\r|\n/)) text += `data: ${line}\n`;
  return `${text}\n`;
}

export interface SseWriter {
  send(event: StreamEvent): void;
  /** A comment line every client ignores; keeps proxies and undici's body timeout from closing an idle stream. */
  keepAlive(): void;
  end(): void;
  readonly closed: boolean;
}

/**
 * Starts the response (status and headers go out at once) and writes each event as it comes. A client that
 * reads slower than `maxPendingBytes` piles up is disconnected rather than buffered without bound.
 */
export function startSse(response: ServerResponse, maxPendingBytes: number): SseWriter {
  response.writeHead(200, SSE_HEADERS);
  // Node's HTTP server already disables Nagle's algorithm (noDelay), so each write leaves at once.
  response.flushHeaders();
  let closed = false;

  function write(text: string): void {
    if (closed || response.destroyed) return;
    response.write(text);
    if (response.writableLength > maxPendingBytes) {
      closed = true;
      response.destroy();
    }
  }

  return {
    send: (event) => write(formatEvent(event)),
    keepAlive: () => write(": keep-alive\n\n"),
    end() {
      if (closed) return;
      closed = true;
      response.end();
    },
    get closed() {
      return closed || response.destroyed;
    },
  };
}
