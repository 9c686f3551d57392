// The error catalog: one stable code per failure, each mapped to an HTTP status and a title in one table.
// API errors are rendered as problem+json by apps/server; prediction failures are kept apart below.
import type { InvalidField } from "./wire.js";

export const API_ERRORS = {
  unauthenticated: { status: 401, title: "Unauthenticated", detail: "You did not pass a valid authentication token" },
  forbidden: { status: 403, title: "Forbidden", detail: "You do not have permission to do that" },
  not_found: { status: 404, title: "Not found", detail: "Not found." },
  bad_request: { status: 400, title: "Bad request", detail: "The request was malformed" },
  validation_failed: { status: 400, title: "Validation failed", detail: "The request body is invalid" },
  invalid_version: {
    status: 422,
    title: "Invalid version or not permitted",
    detail: "The specified version does not exist (or perhaps you don't have permission to use it?)",
  },
  input_validation_failed: { status: 422, title: "Input validation failed", detail: "The input is invalid" },
  serialized_client_input: {
    status: 422,
    title: "Input validation failed",
    detail:
      "The input looks like a serialized API client (it has keys such as auth and baseUrl), not model input. " +
      "This happens with fileEncodingStrategy \"data-uri\" in the replicate JavaScript client 1.4.0; use the default strategy.",
  },
  conflict: { status: 409, title: "Conflict", detail: "The resource already exists" },
  payload_too_large: { status: 413, title: "Payload too large", detail: "The request body is too large" },
  rate_limited: { status: 429, title: "Too many requests", detail: "Request was throttled." },
  /** The body's `errors` lists `{pointer: "/hardware", detail}`; the detail names every valid SKU (spec §1.5). */
  invalid_hardware: { status: 400, title: "Validation failed", detail: "The hardware SKU is not valid" },
  /** A deployment's queue is at its max_queue and no fallback could take the prediction; sent with Retry-After. */
  queue_full: { status: 429, title: "Too many requests", detail: "The deployment's queue is full." },
  /** Deleting a deployment that is still online (min_instances > 0), has open work, or was used recently. */
  deployment_in_use: { status: 409, title: "Conflict", detail: "The deployment is still in use" },
  internal: { status: 500, title: "Internal server error", detail: "Internal server error" },
  unavailable: { status: 503, title: "Service unavailable", detail: "The service is not ready yet" },
  /** A model registered as unavailable (a program it requires is missing, its code failed to load). */
  model_unavailable: {
    status: 503,
    title: "Model unavailable",
    detail: "This model cannot run on this server; its unavailable_reason says why",
  },
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

/** An error the API turns into problem+json. `extra` fields (e.g. invalid_fields) are added to the body. */
export class FerryError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly extra: { invalid_fields?: InvalidField[]; [key: string]: unknown };

  constructor(code: ApiErrorCode, detail?: string, extra: FerryError["extra"] = {}) {
    const entry = API_ERRORS[code];
    super(detail ?? entry.detail);
    this.name = "FerryError";
    this.code = code;
    this.status = entry.status;
    this.title = entry.title;
    this.detail = detail ?? entry.detail;
    this.extra = extra;
  }
}

export function isFerryError(value: unknown): value is FerryError {
  return value instanceof FerryError;
}

/**
 * Why a prediction failed. `user` failures come from the model or its input and are never retried;
 * `platform` failures (lost runner, setup that failed, a crashed instance) are the operator's problem.
 */
export const PREDICTION_FAILURES = {
  model_error: { kind: "user", message: "The model raised an error" },
  input_unavailable: { kind: "user", message: "The input file could not be fetched" },
  setup_failed: { kind: "platform", message: "The model failed to set up" },
  instance_crashed: { kind: "platform", message: "The model instance stopped unexpectedly while running this prediction" },
  runner_lost: { kind: "platform", message: "The runner running this prediction was lost" },
  dispatch_failed: { kind: "platform", message: "The prediction could not be handed to a model instance" },
} as const;

export type PredictionFailureCode = keyof typeof PREDICTION_FAILURES;
