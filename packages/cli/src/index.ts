// @ferry/cli: the `ferry` command line. Its parts are exported for tests.
export { USAGE, UsageError, parseCommand } from "./args.js";
export type { Command, RunnerCommand } from "./args.js";
export { createJsonLogger } from "./json-logger.js";
