// The ControlPlane port over HTTP: what a `ferry runner` on another machine talks to (the server's runner protocol
// under /runner/v1, authenticated with a runner token). Network errors and 502/503/504 are retried with backoff,
// a bounded number of times per call; signals arrive on a long-lived SSE stream that reconnects by itself.
import { setTimeout as sleep } from "node:timers/promises";
import { silentLogger } from "@ferry/core";
import type {
  Assignment,
  ControlPlane,
  HeartbeatReply,
  InstanceEvent,
  InstanceReport,
  Logger,
  PredictionEvent,
  RunnerRegistration,
  RunnerSignal,
  Status,
  VersionRuntime,
} from "@ferry/core";
import { messageOf } from "./prediction-reporter.js";

export const RUNNER_PROTOCOL_PATH = "/runner/v1";
/** Output files travel with this media type; their own type rides in OUTPUT_TYPE_HEADER. */
const OUTPUT_MEDIA_TYPE = "application/x-ferry-output";
const OUTPUT_TYPE_HEADER = "x-ferry-content-type";

export interface HttpControlPlaneOptions {
  /** The server's base URL (`http://api.internal:8080`; a trailing /v1 is ignored). */
  apiUrl: string;
  /** A runner token (the server's FERRY_RUNNER_TOKEN). */
  token: string;
  log?: Logger;
  /** The first retry waits this long, each next one twice as long up to maxRetryDelayMs. Default 250. */
  firstRetryDelayMs?: number;
  /** Default 5 000. */
  maxRetryDelayMs?: number;
  /** One request may take this long. Default 30 000. */
  requestTimeoutMs?: number;
  /** A signal stream silent for this long is considered dead and reopened. Default 45 000 (3 keep-alives). */
  signalIdleMs?: number;
}

export interface HttpControlPlane extends ControlPlane {
  /** Closes the signal stream and stops reconnecting it. */
  close(): void;
}

/** A non-2xx answer of the runner protocol; `status` lets callers (the upload sink) pass a 4xx on. */
export class ControlPlaneHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ControlPlaneHttpError";
  }
}

/** Attempts per call: a report must survive a short outage; a heartbeat or a poll simply comes again. */
const ATTEMPTS = { once: 1, few: 3, many: 8 } as const;
const RETRYABLE_STATUS = new Set([502, 503, 504]);

export function createHttpControlPlane(options: HttpControlPlaneOptions): HttpControlPlane {
  const base = options.apiUrl.replace(/\/+$/, "").replace(/\/v1$/, "") + RUNNER_PROTOCOL_PATH;
  const log = options.log ?? silentLogger;
  const firstDelay = options.firstRetryDelayMs ?? 250;
  const maxDelay = options.maxRetryDelayMs ?? 5_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const auth = { authorization: `Bearer ${options.token}` };

  async function call<T>(method: string, path: string, body: unknown, attempts: number): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(base + path, {
          method,
          headers: body === undefined ? auth : { ...auth, "content-type": "application/json" },
          body: body === undefined ? null : JSON.stringify(body),
          signal: AbortSignal.timeout(requestTimeoutMs),
        });
      } catch (error) {
        if (attempt >= attempts) throw new Error(`The API at ${options.apiUrl} could not be reached: ${causeOf(error)}`);
        await sleep(delayFor(attempt));
        continue;
      }
      if (RETRYABLE_STATUS.has(response.status) && attempt < attempts) {
        await response.body?.cancel();
        await sleep(delayFor(attempt));
        continue;
      }
      if (!response.ok) throw await httpError(response, `${method} ${path}`);
      if (response.status === 204) return undefined as T;
      return (await response.json()) as T;
    }
  }

  const delayFor = (attempt: number): number => Math.min(firstDelay * 2 ** (attempt - 1), maxDelay);
  const runnerPath = (runnerId: string): string => `/runners/${encodeURIComponent(runnerId)}`;
  const predictionPath = (runnerId: string, predictionId: string): string =>
    `${runnerPath(runnerId)}/predictions/${encodeURIComponent(predictionId)}`;

  const signals = createSignalStream({
    url: `${base}/signals`,
    headers: auth,
    log,
    firstDelay,
    maxDelay,
    idleMs: options.signalIdleMs ?? 45_000,
  });

  return {
    async pendingWork() {
      return (await call<{ work: { version: VersionRuntime; queued: number }[] }>("GET", "/work", undefined, ATTEMPTS.once)).work;
    },
    async claim(runnerId, versionId) {
      // Few retries: a claim whose answer was lost leaves a lease that runs out unrenewed, and the work is queued again.
      return (await call<{ assignment: Assignment | null }>("POST", `${runnerPath(runnerId)}/claims`, { versionId }, ATTEMPTS.few)).assignment;
    },
    report(runnerId, predictionId, event: PredictionEvent) {
      return call<{ applied: boolean; status: Status }>("POST", `${predictionPath(runnerId, predictionId)}/events`, { event }, ATTEMPTS.many);
    },
    async release(runnerId, predictionId, reason?: string) {
      await call("POST", `${predictionPath(runnerId, predictionId)}/release`, reason === undefined ? {} : { reason }, ATTEMPTS.many);
    },
    async registerRunner(registration: RunnerRegistration) {
      await call("POST", "/register", registration, ATTEMPTS.once);
    },
    heartbeat(runnerId, instances: InstanceReport[]) {
      return call<HeartbeatReply>("POST", `${runnerPath(runnerId)}/heartbeat`, { instances }, ATTEMPTS.once);
    },
    async runtime(versionId) {
      return (await call<{ version: VersionRuntime | null }>("GET", `/versions/${encodeURIComponent(versionId)}/runtime`, undefined, ATTEMPTS.few)).version;
    },
    async instanceEvent(runnerId, event: InstanceEvent) {
      await call("POST", `${runnerPath(runnerId)}/instance-events`, { event }, ATTEMPTS.many);
    },
    async renewLeases(runnerId, predictionIds) {
      if (predictionIds.length === 0) return;
      await call("POST", `${runnerPath(runnerId)}/leases`, { predictionIds }, ATTEMPTS.few);
    },
    async uploadOutput(runnerId, predictionId, file) {
      // One attempt: the body is a stream, read as it goes out, and cannot be sent twice.
      let response: Response;
      try {
        response = await fetch(`${base}${predictionPath(runnerId, predictionId)}/outputs/${encodeURIComponent(file.name)}`, {
          method: "PUT",
          headers: { ...auth, "content-type": OUTPUT_MEDIA_TYPE, [OUTPUT_TYPE_HEADER]: file.contentType },
          body: file.body as unknown as ReadableStream<Uint8Array>,
          duplex: "half",
        } as RequestInit);
      } catch (error) {
        throw new Error(`The API at ${options.apiUrl} could not be reached: ${causeOf(error)}`);
      }
      if (!response.ok) throw await httpError(response, "output upload");
      return (await response.json()) as { url: string };
    },
    subscribe: (listener) => signals.subscribe(listener),
    close: () => signals.close(),
  };
}

interface SignalStreamOptions {
  url: string;
  headers: Record<string, string>;
  log: Logger;
  firstDelay: number;
  maxDelay: number;
  idleMs: number;
}

/**
 * One SSE connection shared by every subscriber, opened with the first and closed with the last. After a
 * reconnect the subscribers get a plan_changed: signals may have been missed, so the runner heartbeats and polls.
 */
function createSignalStream(options: SignalStreamOptions) {
  const listeners = new Set<(signal: RunnerSignal) => void>();
  let abort: AbortController | null = null;
  let running = false;

  const emit = (signal: RunnerSignal): void => {
    for (const listener of [...listeners]) listener(signal);
  };

  async function loop(): Promise<void> {
    let failures = 0;
    let connectedBefore = false;
    while (running) {
      const controller = new AbortController();
      abort = controller;
      let idle: NodeJS.Timeout | null = null;
      const resetIdle = (): void => {
        if (idle !== null) clearTimeout(idle);
        idle = setTimeout(() => controller.abort(), options.idleMs);
        idle.unref();
      };
      try {
        resetIdle();
        const response = await fetch(options.url, { headers: { ...options.headers, accept: "text/event-stream" }, signal: controller.signal });
        if (!response.ok || response.body === null) throw await httpError(response, "signal stream");
        if (connectedBefore) emit({ type: "plan_changed" });
        connectedBefore = true;
        failures = 0;
        const decoder = new TextDecoder();
        let buffer = "";
        for await (const chunk of response.body) {
          resetIdle();
          buffer += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const signal = signalOf(frame);
            if (signal !== null) emit(signal);
          }
        }
      } catch (error) {
        if (!running) break;
        if (failures === 0) options.log.warn({ error: causeOf(error) }, "the signal stream is down; reconnecting (work is still polled)");
        failures += 1;
      } finally {
        if (idle !== null) clearTimeout(idle);
      }
      if (running) await sleep(Math.min(options.firstDelay * 2 ** Math.max(0, failures - 1), options.maxDelay));
    }
  }

  const close = (): void => {
    running = false;
    abort?.abort();
  };

  return {
    subscribe(listener: (signal: RunnerSignal) => void): () => void {
      listeners.add(listener);
      if (!running) {
        running = true;
        void loop();
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) close();
      };
    },
    close,
  };
}

/** The JSON of an SSE frame's data lines, when it is a signal (comments and keep-alives are not). */
function signalOf(frame: string): RunnerSignal | null {
  const data = frame
    .split("\n")
    .filter((line) => line.startsWith("data:"))
    .map((line) => line.slice(5).trimStart())
    .join("\n");
  if (data === "") return null;
  try {
    const signal = JSON.parse(data) as RunnerSignal;
    return typeof signal === "object" && signal !== null && typeof signal.type === "string" ? signal : null;
  } catch {
    return null;
  }
}

async function httpError(response: Response, what: string): Promise<ControlPlaneHttpError> {
  const text = await response.text().catch(() => "");
  let detail = text.slice(0, 500);
  try {
    const problem = JSON.parse(text) as { detail?: unknown };
    if (typeof problem.detail === "string") detail = problem.detail;
  } catch {
    // not problem+json: the text as it is
  }
  return new ControlPlaneHttpError(response.status, `${what} answered ${response.status}${detail === "" ? "" : `: ${detail}`}`);
}

/** fetch's "fetch failed" hides the reason (ECONNREFUSED, a timeout) in `cause`. */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${messageOf(error)} (${cause.message})` : messageOf(error);
}
