// @ferry/engine: the use cases and background loops behind the API and the runners. Imports core only.
export { createEngine } from "./create-engine.js";
export { SERVER_RESTARTED_ERROR } from "./background-loops.js";
export { KEEP_FOREVER } from "./data-retention.js";
export type { StreamEvent, StreamEventName, StreamHub, StreamHubOptions, StreamSubscription } from "./stream-hub.js";
export type {
  CreatePredictionRequest,
  Engine,
  EngineDeps,
  EngineOptions,
  ListPredictionsRequest,
  ModelListRequest,
  ModelCatalogApi,
  PredictionBus,
  PredictionTarget,
  PredictionUpdate,
  RegisterModelRequest,
  WebhookDelivery,
  Clock,
} from "./engine-types.js";
export type { WebhookOptions } from "./webhooks/create-webhooks.js";
export { MAX_ATTEMPTS } from "./scheduler/retries.js";
export type { SchedulerSnapshot } from "./scheduler/scheduler.js";
export type { CrashLoopPolicy, Unhealthy } from "./scheduler/version-health.js";
export type { CreateDeploymentRequest, DeploymentHistory, DeploymentUseCases, DeploymentView, UpdateDeploymentRequest } from "./deployments.js";
export type { VersionHealth } from "./deployment-routing.js";
