// A Logger that writes one JSON object per line to stderr (pino's shape: level, time, msg, fields), so a runner's
// logs read like the API's.
import type { Logger } from "@ferry/core";
import type { LogLevel } from "./args.js";

const LEVELS = { debug: 20, info: 30, warn: 40, error: 50, silent: Infinity } as const;

export function createJsonLogger(level: LogLevel, base: Record<string, unknown> = {}, write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const threshold = LEVELS[level];
  const log =
    (name: Exclude<LogLevel, "silent">) =>
    (fields: object, msg?: string): void => {
      if (LEVELS[name] < threshold) return;
      write(JSON.stringify({ level: LEVELS[name], time: Date.now(), ...base, ...fields, ...(msg === undefined ? {} : { msg }) }) + "\n");
    };
  return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}
