// @ferry/engine: the use cases and background loops behind the API and the runners. Imports core only.
export { createEngine } from "./create-engine.js";
export { SERVER_RESTARTED_ERROR } from "./background-loops.js";
export type {
  CreatePredictionRequest,
  Engine,
  EngineDeps,
  EngineOptions,
  ListPredictionsRequest,
  ModelListRequest,
  PredictionBus,
  PredictionTarget,
  PredictionUpdate,
  RegisterModelRequest,
  Clock,
} from "./engine-types.js";
