// Checks a deployment's requested configuration field by field and reports every problem at once, in the
// shape production uses for 400s: "The following errors occurred:\n- hardware: …" plus errors[{pointer, detail}].
import { DEPLOYMENT_LIMITS, DEPLOYMENT_NAME_PATTERN, FerryError, isVersionId } from "@ferry/core";

export interface FieldProblem {
  field: string;
  detail: string;
}

/** Collects problems; `throwIfAny` raises one FerryError naming them all. */
export class Problems {
  readonly list: FieldProblem[] = [];

  add(field: string, detail: string): void {
    this.list.push({ field, detail });
  }

  has(field: string): boolean {
    return this.list.some((p) => p.field === field);
  }

  throwIfAny(): void {
    if (this.list.length === 0) return;
    const lines = this.list.map((p) => `- ${p.field}: ${p.detail}`).join("\n");
    // An invalid SKU has its own code (the body lists the valid ones either way).
    const code = this.has("hardware") ? "invalid_hardware" : "validation_failed";
    throw new FerryError(code, `The following errors occurred:\n${lines}`, {
      errors: this.list.map((p) => ({ pointer: `/${p.field}`, detail: `${p.field}: ${p.detail}` })),
    });
  }
}

export function checkName(problems: Problems, name: string): void {
  if (!DEPLOYMENT_NAME_PATTERN.test(name)) {
    problems.add("name", "must be 1-100 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit");
  }
}

export function checkHardware(problems: Problems, hardware: string, valid: readonly string[]): void {
  if (!valid.includes(hardware)) {
    problems.add("hardware", `${hardware} is not a valid hardware SKU. Your options are: ${valid.join(", ")}`);
  }
}

/** min 0–5 and max at least max(min, 1), at most 20 (spec §2.7). */
export function checkInstances(problems: Problems, min: number, max: number): void {
  if (!Number.isInteger(min) || min < 0 || min > DEPLOYMENT_LIMITS.minInstances) {
    problems.add("min_instances", `must be a whole number from 0 to ${DEPLOYMENT_LIMITS.minInstances}`);
    return;
  }
  const lowest = Math.max(min, 1);
  if (!Number.isInteger(max) || max < lowest || max > DEPLOYMENT_LIMITS.maxInstances) {
    problems.add("max_instances", `must be a whole number from ${lowest} (at least min_instances and 1) to ${DEPLOYMENT_LIMITS.maxInstances}`);
  }
}

export function checkMaxQueue(problems: Problems, maxQueue: number | null): void {
  if (maxQueue !== null && (!Number.isInteger(maxQueue) || maxQueue < 1)) problems.add("max_queue", "must be a whole number of at least 1, or null");
}

/** A fallback is "owner/name" of another deployment or a 64-hex version id; whether it exists is checked by the caller. */
export function fallbackKind(fallback: string): "deployment" | "version" | null {
  if (isVersionId(fallback)) return "version";
  const parts = fallback.split("/");
  return parts.length === 2 && parts.every((p) => p.length > 0) ? "deployment" : null;
}
