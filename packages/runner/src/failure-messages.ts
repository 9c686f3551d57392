// The words a failed prediction carries when the platform, not the model, failed it.
import type { InstanceExit } from "./runner-types.js";

/** "exit code 3, signal none" */
export function describeExit(exit: InstanceExit): string {
  return `exit code ${exit.code ?? "none"}, signal ${exit.signal ?? "none"}`;
}

export function setupFailedMessage(reason: string): string {
  return `The model failed to set up: ${reason}`;
}

export function instanceCrashedMessage(exit: InstanceExit, stderrTail: string): string {
  const message = `The model instance stopped unexpectedly (${describeExit(exit)}) while running this prediction`;
  const tail = stderrTail.trimEnd();
  return tail === "" ? message : `${message}\n${tail}`;
}

export const RUNNER_STOPPED_MESSAGE = "The runner stopped while running this prediction";

export function dispatchFailedMessage(detail: string): string {
  return `The prediction could not be handed to a model instance: ${detail}`;
}

/** The 422 body of a Cog server as one line: FastAPI's `detail` list ("steps: Field required"), or its text. */
export function invalidInputMessage(body: unknown): string {
  const detail = typeof body === "object" && body !== null ? (body as { detail?: unknown; error?: unknown }).detail ?? (body as { error?: unknown }).error : body;
  if (Array.isArray(detail)) {
    const parts = detail.map((item: unknown) => {
      if (typeof item !== "object" || item === null) return String(item);
      const { loc, msg } = item as { loc?: unknown; msg?: unknown };
      const field = Array.isArray(loc) ? loc.slice(loc[0] === "body" && loc[1] === "input" ? 2 : 0).join(".") : "";
      return field === "" ? String(msg) : `${field}: ${String(msg)}`;
    });
    return parts.join("; ");
  }
  if (typeof detail === "string") return detail;
  return detail === null || detail === undefined ? "The input is invalid" : JSON.stringify(detail);
}
