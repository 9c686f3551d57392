// Every error leaves the API as RFC 7807 problem+json, with its keys in one order: title, detail, status, extras.
import { STATUS_CODES } from "node:http";
import type { FastifyReply } from "fastify";
import { isFerryError } from "@ferry/core";
import type { FerryError } from "@ferry/core";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** A problem document ready to send. */
export interface ProblemResponse {
  status: number;
  body: string;
}

/** Serializes a problem with the key order production uses (title, detail, status, then extras). */
export function problemBody(title: string, detail: string, status: number, extra?: Record<string, unknown>): string {
  return JSON.stringify(extra ? { title, detail, status, ...extra } : { title, detail, status });
}

export function sendProblem(reply: FastifyReply, problem: ProblemResponse): FastifyReply {
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem.body);
}

/** The generic 500 body: nothing about the cause reaches the client. */
export const INTERNAL_PROBLEM: ProblemResponse = { status: 500, body: problemBody("Internal server error", "Internal server error", 500) };

interface FrameworkError {
  code?: string;
  statusCode?: number;
  message?: string;
  validation?: unknown;
}

/**
 * Maps an error to the problem the client sees, or null when it is unexpected (the caller logs it and sends
 * INTERNAL_PROBLEM). FerryErrors carry their own status; Fastify's own 4xx errors keep theirs.
 */
export function problemFor(error: unknown): ProblemResponse | null {
  if (isFerryError(error)) return ferryProblem(error);
  if (typeof error !== "object" || error === null) return null;
  const e = error as FrameworkError;
  if (e.validation !== undefined) {
    return { status: 400, body: problemBody("Validation failed", e.message ?? "The request is invalid", 400) };
  }
  if (e.code === "FST_ERR_CTP_INVALID_JSON_BODY") {
    return { status: 400, body: problemBody("Bad request", "The request body is not valid JSON", 400) };
  }
  const status = e.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    const title = STATUS_CODES[status] ?? "Bad request";
    return { status, body: problemBody(title, e.message || title, status) };
  }
  return null;
}

function ferryProblem(error: FerryError): ProblemResponse {
  const hasExtra = Object.keys(error.extra).length > 0;
  return { status: error.status, body: problemBody(error.title, error.detail, error.status, hasExtra ? error.extra : undefined) };
}
