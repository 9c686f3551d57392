// One prediction's SSE events (spec §5.2), built from snapshots of its row: each snapshot adds what it holds
// beyond what was already emitted, so bus updates, polled rows and a row read after a restart all feed it alike.
//
// Event ids are "<unix seconds of the prediction's creation>:<sequence>", the sequence counting events from 0
// in the order they were emitted. From one snapshot the buffer emits, in this order: the log text past what was
// emitted (one `logs` event), each output chunk past the emitted count (one `output` event each), then, once
// the status is terminal, `error` (failed only) and `done`. So a stream rebuilt from the stored row (another
// process, a restart, an evicted buffer) numbers its events: all logs as one event, then each output chunk, then
// error/done. It gives the live stream's ids whenever the live events came in that order (no log text after
// the first output chunk); otherwise ids from a live stream resume exactly only against the same live buffer.
import { isTerminal } from "@ferry/core";
import type { Prediction } from "@ferry/core";

export type StreamEventName = "output" | "logs" | "error" | "done";

export interface StreamEvent {
  id: string;
  event: StreamEventName;
  /** The event's data as text; the SSE writer splits it into `data:` lines. */
  data: string;
}

export interface StreamBuffer {
  readonly events: readonly StreamEvent[];
  /** Roughly what the events take in memory (their text), for the hub's bound. */
  readonly bytes: number;
  /** True once `done` was emitted: nothing follows. */
  readonly finished: boolean;
  /** Adds the events the snapshot holds beyond those emitted; returns the new ones (often none). */
  observe(row: Prediction): StreamEvent[];
  /** The events after `lastEventId` (a Last-Event-ID header); every event when it is absent or not one of ours. */
  after(lastEventId: string | null | undefined): StreamEvent[];
}

/** The bytes an event adds beyond its data: the id, the name and the SSE framing. */
const EVENT_OVERHEAD_BYTES = 48;

export function createStreamBuffer(createdAt: string): StreamBuffer {
  const epoch = Math.floor(Date.parse(createdAt) / 1000);
  const events: StreamEvent[] = [];
  let bytes = 0;
  let logsLength = 0;
  let chunks = 0;
  let finished = false;

  function emit(event: StreamEvent["event"], data: string, into: StreamEvent[]): void {
    const added: StreamEvent = { id: `${epoch}:${events.length}`, event, data };
    events.push(added);
    into.push(added);
    bytes += data.length + EVENT_OVERHEAD_BYTES;
  }

  return {
    events,
    get bytes() {
      return bytes;
    },
    get finished() {
      return finished;
    },
    observe(row) {
      const added: StreamEvent[] = [];
      if (finished) return added;
      // Logs only grow and output chunks are only appended, so a stale snapshot adds nothing; a removed one
      // (data_removed) neither.
      if (row.logs.length > logsLength) {
        emit("logs", row.logs.slice(logsLength), added);
        logsLength = row.logs.length;
      }
      const output = chunksOf(row.output);
      for (; chunks < output.length; chunks += 1) emit("output", chunkText(output[chunks]), added);
      if (isTerminal(row.status)) {
        if (row.status === "failed") emit("error", JSON.stringify({ detail: row.error ?? "" }), added);
        emit("done", doneData(row.status), added);
        finished = true;
      }
      return added;
    },
    after(lastEventId) {
      const match = /^(\d+):(\d+)$/.exec(lastEventId?.trim() ?? "");
      if (match === null || Number(match[1]) !== epoch) return [...events];
      return events.slice(Number(match[2]) + 1);
    },
  };
}

/** Iterator outputs are arrays that grow chunk by chunk; any other output is one chunk once it is set. */
function chunksOf(output: unknown): unknown[] {
  if (Array.isArray(output)) return output;
  return output === null || output === undefined ? [] : [output];
}

function chunkText(chunk: unknown): string {
  return typeof chunk === "string" ? chunk : JSON.stringify(chunk) ?? "null";
}

function doneData(status: Prediction["status"]): string {
  if (status === "failed") return JSON.stringify({ reason: "error" });
  if (status === "canceled" || status === "aborted") return JSON.stringify({ reason: "canceled" });
  return "{}";
}
