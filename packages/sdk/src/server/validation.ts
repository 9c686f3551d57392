// Request, input and output validation; zod issues become FastAPI-shaped 422 details (cog-protocol §1.6).
import { z } from "zod";
import type { InputSpec } from "../define-model.js";
import { WEBHOOK_EVENT_TYPES, type ValidationDetail, type WebhookEventType } from "./wire.js";

/** The envelope of `POST /predictions` and `PUT /predictions/{id}` after checking. */
export interface PredictionRequest {
  id: string | null;
  input: Record<string, unknown>;
  webhook: string | null;
  webhookEventsFilter: ReadonlySet<WebhookEventType>;
  createdAt: string | null;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; detail: ValidationDetail[] };

const ALL_EVENTS: ReadonlySet<WebhookEventType> = new Set(WEBHOOK_EVENT_TYPES);

/** Checks the request envelope (not the model input). A null or missing body or input means `{}`. */
export function checkPredictionRequest(body: unknown): Checked<PredictionRequest> {
  const detail: ValidationDetail[] = [];
  const fail = (loc: (string | number)[], msg: string, type: string) => detail.push({ loc: ["body", ...loc], msg, type });
  if (body === null || body === undefined) body = {};
  if (!isRecord(body)) {
    fail([], "Input should be a valid dictionary", "type_error.dict");
    return { ok: false, detail };
  }
  const { id = null, input = null, webhook = null, webhook_events_filter = null, created_at = null } = body;
  if (id !== null && (typeof id !== "string" || id.length === 0)) fail(["id"], "Input should be a non-empty string", "type_error.str");
  if (input !== null && !isRecord(input)) fail(["input"], "Input should be a valid dictionary", "type_error.dict");
  if (webhook !== null && !isWebhookUrl(webhook)) {
    fail(["webhook"], "URL scheme should be 'http' or 'https'", "value_error.url.scheme");
  }
  let filter = ALL_EVENTS;
  if (webhook_events_filter !== null) {
    if (!Array.isArray(webhook_events_filter)) fail(["webhook_events_filter"], "Input should be a valid list", "type_error.list");
    else {
      webhook_events_filter.forEach((event, index) => {
        if (!ALL_EVENTS.has(event as WebhookEventType)) {
          fail(["webhook_events_filter", index], "Input should be 'start', 'output', 'logs' or 'completed'", "type_error.enum");
        }
      });
      filter = new Set(webhook_events_filter as WebhookEventType[]);
    }
  }
  if (created_at !== null && typeof created_at !== "string") fail(["created_at"], "Input should be a valid datetime", "type_error.datetime");
  if (detail.length > 0) return { ok: false, detail };
  return {
    ok: true,
    value: {
      id: id as string | null,
      input: (input ?? {}) as Record<string, unknown>,
      webhook: webhook as string | null,
      webhookEventsFilter: filter,
      createdAt: created_at as string | null,
    },
  };
}

/** Validates a model input with its zod schema: defaults applied, unknown keys stripped. */
export async function checkInput(schema: InputSpec, input: Record<string, unknown>): Promise<Checked<Record<string, unknown>>> {
  const result = parseSyncFirst(schema, input) ?? (await schema.safeParseAsync(input));
  if (result.success) return { ok: true, value: result.data as Record<string, unknown> };
  return { ok: false, detail: result.error.issues.map((issue) => toDetail(issue, input)) };
}

/**
 * Most input schemas have no async refinement, and the synchronous parse skips the async machinery on every
 * request; zod throws when it meets one, and then (null) the caller parses asynchronously.
 */
function parseSyncFirst(schema: InputSpec, input: Record<string, unknown>): ReturnType<InputSpec["safeParse"]> | null {
  try {
    return schema.safeParse(input);
  } catch (error) {
    if (error instanceof z.core.$ZodAsyncError) return null;
    throw error;
  }
}

/** Parses a value predict produced against the declared output type; throws with a readable message. */
export function parseOutput(schema: z.ZodType, value: unknown): unknown {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const reasons = result.error.issues.map((issue) => `${issue.path.join(".") || "output"}: ${issue.message}`).join("; ");
  throw new Error(`output does not match the model's declared output type: ${reasons}`);
}

function toDetail(issue: z.core.$ZodIssue, input: Record<string, unknown>): ValidationDetail {
  const loc = ["body", "input", ...issue.path.map((part) => (typeof part === "symbol" ? String(part) : part))];
  if (issue.code === "invalid_type" && valueAt(input, issue.path) === undefined) {
    return { loc, msg: "Field required", type: "value_error.missing" };
  }
  if (issue.code === "invalid_type") return { loc, msg: issue.message, type: `type_error.${issue.expected}` };
  return { loc, msg: issue.message, type: `value_error.${issue.code}` };
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isWebhookUrl(value: unknown): boolean {
  if (typeof value !== "string" || value.length === 0 || value.length > 65536) return false;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}
