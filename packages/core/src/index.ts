// @ferry/core: the pure domain. No I/O, no framework.
export * from "./wire.js";
export * from "./domain.js";
export * from "./ids.js";
export * from "./errors.js";
export * from "./clock.js";
export * from "./prediction-state.js";
export * from "./ports.js";
export * from "./cog-openapi.js";
export * from "./logger.js";
export * from "./webhooks.js";
export * from "./capabilities.js";
export * from "./scheduling.js";
export * from "./deployments.js";
