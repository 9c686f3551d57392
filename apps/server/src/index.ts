// @ferry/server: the composition root's parts, exported for tests, e2e and the CLI.
export { buildApp } from "./app.js";
export type { AppDeps } from "./app.js";
export { parseConfig, loadConfig, ConfigError } from "./config.js";
export type { Config, LogLevel } from "./config.js";
export { registerBuiltinModels, folderVersionId } from "./builtin-models.js";
export type { BuiltinModelResult } from "./builtin-models.js";
export { HARDWARE } from "./hardware-catalog.js";
export { parseCancelAfter } from "./http/cancel-after.js";
export { parsePreferWait } from "./http/prefer-wait.js";
