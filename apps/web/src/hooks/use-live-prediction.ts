// Follows a prediction until it ends: output and logs arrive over its SSE stream (urls.stream, a capability URL,
// so EventSource needs no header), and a slow poll of GET /v1/predictions/{id} fills in status and the final result.
import { useEffect, useRef, useState } from "react";
import { api } from "../api/client.js";
import type { Prediction } from "../api/types.js";

export const TERMINAL = new Set(["succeeded", "failed", "canceled", "aborted"]);

export interface LivePrediction {
  prediction: Prediction | null;
  /** Output events received so far (the final `output` replaces them once the prediction ends). */
  streamed: string[];
  /** Logs received over the stream, until the prediction's own `logs` catch up. */
  streamedLogs: string;
  streaming: boolean;
  /** Replaces the prediction (for example with the answer to a cancel). */
  update(prediction: Prediction): void;
}

const POLL_WHILE_STREAMING_MS = 2000;
const POLL_WITHOUT_STREAM_MS = 700;

export function useLivePrediction(initial: Prediction | null): LivePrediction {
  const [prediction, setPrediction] = useState<Prediction | null>(initial);
  const [streamed, setStreamed] = useState<string[]>([]);
  const [streamedLogs, setStreamedLogs] = useState("");
  const [streaming, setStreaming] = useState(false);
  const latest = useRef(prediction);
  latest.current = prediction;

  useEffect(() => {
    setPrediction(initial);
    setStreamed([]);
    setStreamedLogs("");
  }, [initial]);

  const id = prediction?.id ?? null;
  const terminal = prediction !== null && TERMINAL.has(prediction.status);
  const streamUrl = prediction?.urls.stream ?? null;

  useEffect(() => {
    if (id === null || terminal) return;
    let stopped = false;
    let source: EventSource | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const refresh = async () => {
      try {
        const next = await api<Prediction>(`/v1/predictions/${id}`);
        if (!stopped) setPrediction((current) => (current && rank(current) > rank(next) ? current : next));
        return next;
      } catch {
        return null;
      }
    };
    const poll = async () => {
      const next = await refresh();
      if (stopped || (next && TERMINAL.has(next.status))) return;
      timer = setTimeout(() => void poll(), source ? POLL_WHILE_STREAMING_MS : POLL_WITHOUT_STREAM_MS);
    };

    if (streamUrl) {
      source = new EventSource(streamUrl);
      setStreaming(true);
      source.addEventListener("output", (event) => setStreamed((items) => [...items, (event as MessageEvent<string>).data]));
      source.addEventListener("logs", (event) => setStreamedLogs((logs) => logs + (event as MessageEvent<string>).data));
      const finish = () => {
        source?.close();
        setStreaming(false);
        void refresh();
      };
      source.addEventListener("done", finish);
      // A server-sent `error` event carries data; the browser's own (connection) errors do not.
      source.addEventListener("error", (event) => {
        if ((event as MessageEvent).data !== undefined || source?.readyState === EventSource.CLOSED) finish();
      });
    }
    timer = setTimeout(() => void poll(), source ? POLL_WHILE_STREAMING_MS : 0);

    return () => {
      stopped = true;
      source?.close();
      setStreaming(false);
      clearTimeout(timer);
    };
  }, [id, terminal, streamUrl]);

  return { prediction, streamed, streamedLogs, streaming, update: setPrediction };
}

/** A status never moves backwards, even when a slower poll answers after a faster stream. */
function rank(p: Prediction): number {
  if (TERMINAL.has(p.status)) return 2;
  return p.status === "processing" ? 1 : 0;
}
