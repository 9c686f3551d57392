// @ferry/sdk: what a model author imports, and the Cog-protocol server one model instance runs.
import { fileURLToPath } from "node:url";

export {
  defineModel,
  inputs,
  outputs,
  type InputSpec,
  type IteratorOutput,
  type ModelDefinition,
  type ModelSpec,
  type OutputSpec,
  type PredictContext,
  type PredictResult,
  type SetupContext,
} from "./define-model.js";
export type { PredictFiles } from "./files/prediction-files.js";
export { openapiSchema } from "./openapi/openapi-schema.js";
export { loadModel } from "./load-model.js";
export { serveModel, type ModelServer } from "./server/serve-model.js";
export { INLINE_COMPLETION_HEADER } from "./server/routes.js";
export type { ServeOptions } from "./server/config.js";
export type {
  HealthBody,
  HealthStatus,
  PredictionSnapshot,
  PredictionStatus,
  SetupStatus,
  ValidationDetail,
  WebhookEventType,
} from "./server/wire.js";

/**
 * Absolute path of the instance entry point. A runner starts an instance with
 * `node --import tsx <INSTANCE_BIN_PATH> <model entry file>` and PORT / HOST in the environment.
 */
export const INSTANCE_BIN_PATH: string = fileURLToPath(new URL("./bin/instance.ts", import.meta.url));

/**
 * Absolute path of the spare instance entry point: `node --import tsx <SPARE_BIN_PATH>` loads everything but the
 * model, then waits for formatSpareLaunch()'s line on stdin (which model, which environment) to become an instance.
 */
export const SPARE_BIN_PATH: string = fileURLToPath(new URL("./bin/spare.ts", import.meta.url));
export { formatSpareLaunch, type SpareLaunch } from "./server/spare-launch.js";
