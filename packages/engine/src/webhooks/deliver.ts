// One HTTP attempt of a webhook message: a signed POST (Standard Webhooks headers, spec §4.2) that follows no
// redirect and gives up after a timeout. It never throws: every way it can end is an AttemptOutcome.
import { signWebhook } from "@ferry/core";
import type { AttemptOutcome } from "./decide.js";

export interface WebhookRequest {
  url: string;
  messageId: string;
  /** webhook-timestamp: seconds since the epoch, taken at this attempt. */
  timestampSeconds: number;
  /** The exact bytes signed and sent. */
  body: string;
  secret: string;
  timeoutMs: number;
  /** Aborts the attempt (shutdown). */
  signal?: AbortSignal;
}

export interface WebhookResponse extends AttemptOutcome {
  durationMs: number;
}

export type PostWebhook = (request: WebhookRequest) => Promise<WebhookResponse>;

const USER_AGENT = "Ferry-Webhooks/1.0";

/** Sends with the runtime's fetch; a 3xx is a failure (its Location is recorded, never followed). */
export const postWebhook: PostWebhook = async (request) => {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal === undefined ? timeout : AbortSignal.any([timeout, request.signal]);
  try {
    const response = await fetch(request.url, {
      method: "POST",
      redirect: "manual",
      signal,
      headers: {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": request.messageId,
        "webhook-timestamp": String(request.timestampSeconds),
        "webhook-signature": signWebhook(request.secret, request.messageId, request.timestampSeconds, request.body),
      },
      body: request.body,
    });
    // The receiver's answer is not read: only its status counts.
    await response.body?.cancel().catch(() => undefined);
    const status = response.status;
    const redirect = status >= 300 && status < 400;
    const error = redirect ? `redirect not followed (location: ${response.headers.get("location") ?? "none"})` : null;
    return { statusCode: status, error, durationMs: elapsed() };
  } catch (caught) {
    const error = timeout.aborted ? `no answer within ${request.timeoutMs} ms` : describe(caught);
    return { statusCode: null, error, durationMs: elapsed() };
  }
};

/** fetch reports "fetch failed" and keeps the reason (ECONNREFUSED, a DNS error, …) in `cause`. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === "string" && !cause.message.includes(code) ? `${code}: ${cause.message}` : cause.message;
  }
  return error.message;
}
