// Validates prediction input against a version's Input schema with Ajv, compiled once per version id.
// Components are registered so Cog's enum components (allOf + $ref) resolve. Cog's `nullable` means
// "may be omitted": an explicit null is rejected, as on Replicate (spec cog-protocol §3.2).
import { FerryError, inputSchema, schemaComponents } from "@ferry/core";
import type { InvalidField, Logger, Version } from "@ferry/core";
import { Ajv } from "ajv";
import type { ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { createBoundedMap } from "./bounded-map.js";
import { invalidFieldsDetail, jsonTypeName, toInvalidFields } from "./invalid-fields.js";

const VALIDATOR_CACHE_SIZE = 1_000;

export interface InputValidator {
  /**
   * Returns the input as an object, or throws FerryError input_validation_failed (with invalid_fields) when
   * it does not fit the version's Input schema.
   */
  validate(version: Version, input: unknown): Record<string, unknown>;
}

export function createInputValidator(log: Logger): InputValidator {
  const ajv = new Ajv({ allErrors: true, strict: false, logger: false, validateSchema: false });
  addFormats(ajv);
  /** null: the schema could not be compiled; the input is then passed through to the instance. */
  const validators = createBoundedMap<ValidateFunction | null>(VALIDATOR_CACHE_SIZE);

  function validatorFor(version: Version): ValidateFunction | null {
    const cached = validators.get(version.id);
    if (cached !== undefined) return cached;
    let compiled: ValidateFunction | null = null;
    const input = inputSchema(version.openapiSchema);
    if (input !== null) {
      try {
        compiled = ajv.compile(validationSchema(input, schemaComponents(version.openapiSchema)));
      } catch (error) {
        log.warn({ err: error, versionId: version.id }, "the version's Input schema does not compile; input is not validated");
      }
    }
    validators.set(version.id, compiled);
    return compiled;
  }

  return {
    validate(version, input) {
      if (typeof input !== "object" || input === null || Array.isArray(input)) {
        fail([{ type: "type", field: "input", description: `Invalid type. Expected: object, given: ${jsonTypeName(input)}` }]);
      }
      const validate = validatorFor(version);
      if (validate === null || validate(input)) return input as Record<string, unknown>;
      return fail(toInvalidFields(validate.errors ?? [], input));
    },
  };
}

function fail(fields: InvalidField[]): never {
  throw new FerryError("input_validation_failed", invalidFieldsDetail(fields), { invalid_fields: fields });
}

/** The Input schema with the document's components beside it, `nullable` removed, unknown keys allowed. */
function validationSchema(input: Record<string, unknown>, components: Record<string, unknown>): Record<string, unknown> {
  const root = withoutNullable(input) as Record<string, unknown>;
  delete root["additionalProperties"];
  delete root["$id"];
  return { ...root, components: { schemas: withoutNullable(components) } };
}

function withoutNullable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNullable);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    // A boolean `nullable` is the keyword; an object under that key is a property named "nullable".
    if (key !== "nullable" || typeof child !== "boolean") out[key] = withoutNullable(child);
  }
  return out;
}
