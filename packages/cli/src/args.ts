// `ferry runner` flags, parsed with node:util's parseArgs. Every mistake is a UsageError with a message that says
// what to write instead; nothing starts until the whole command line is valid.
import { parseArgs } from "node:util";
import { parseHardwareList } from "@ferry/runner";

export class UsageError extends Error {
  override name = "UsageError";
}

export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface RunnerCommand {
  command: "runner";
  /** The API's base URL, without a trailing slash. */
  apiUrl: string;
  token: string;
  hardware: string[];
  maxInstances: number;
  name: string | null;
  /** How long SIGTERM lets running predictions finish before the instances are stopped. */
  drainMs: number;
  heartbeatIntervalMs: number;
  logLevel: LogLevel;
}

export type Command = RunnerCommand | { command: "help" };

export const USAGE = `Usage: ferry runner --api URL --token TOKEN [options]

Runs model instances for a Ferry API on this machine (docs/runners.md).

Options:
  --api URL              the API's base URL, e.g. http://ferry.internal:8080 (required)
  --token TOKEN          a runner token: the API's FERRY_RUNNER_TOKEN (or set FERRY_RUNNER_TOKEN here)
  --hardware LIST        hardware SKUs this machine serves, comma-separated (default: cpu), e.g. cpu,gpu-t4
  --max-instances N      model instances at once, across models (default: 4)
  --name NAME            how this runner is shown (default: the host name)
  --drain-timeout S      on SIGTERM, seconds running predictions get to finish (default: 60)
  --heartbeat-interval S seconds between heartbeats (default: 2)
  --log-level LEVEL      debug, info, warn, error or silent (default: info)
  -h, --help             show this text
`;

export function parseCommand(argv: string[], env: Record<string, string | undefined>): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        api: { type: "string" },
        token: { type: "string" },
        hardware: { type: "string" },
        "max-instances": { type: "string" },
        name: { type: "string" },
        "drain-timeout": { type: "string" },
        "heartbeat-interval": { type: "string" },
        "log-level": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.split("\n")[0] ?? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help === true || positionals.length === 0 || positionals[0] === "help") return { command: "help" };
  const [command, ...rest] = positionals;
  if (command !== "runner") throw new UsageError(`Unknown command ${JSON.stringify(command)}: the command is \`ferry runner\``);
  if (rest.length > 0) throw new UsageError(`Unexpected argument ${JSON.stringify(rest[0])}: every option is a --flag`);

  const api = values.api;
  if (api === undefined) throw new UsageError("--api is required: the API's base URL, e.g. --api http://ferry.internal:8080");
  if (!URL.canParse(api) || !["http:", "https:"].includes(new URL(api).protocol)) {
    throw new UsageError(`--api must be an http:// or https:// URL, not ${JSON.stringify(api)}`);
  }
  const token = values.token ?? env.FERRY_RUNNER_TOKEN?.trim();
  if (token === undefined || token === "") throw new UsageError("--token is required (or FERRY_RUNNER_TOKEN): the API's runner token");

  let hardware: string[];
  try {
    hardware = parseHardwareList(values.hardware ?? "cpu");
  } catch (error) {
    throw new UsageError(`--hardware: ${error instanceof Error ? error.message : String(error)}`);
  }
  const logLevel = values["log-level"] ?? "info";
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(", ")}`);
  return {
    command: "runner",
    apiUrl: api.replace(/\/+$/, ""),
    token,
    hardware,
    maxInstances: wholeNumber("--max-instances", values["max-instances"], 4, 1, 1024),
    name: values.name?.trim() || null,
    drainMs: wholeNumber("--drain-timeout", values["drain-timeout"], 60, 0, 24 * 3600) * 1000,
    heartbeatIntervalMs: wholeNumber("--heartbeat-interval", values["heartbeat-interval"], 2, 1, 60) * 1000,
    logLevel: logLevel as LogLevel,
  };
}

function wholeNumber(flag: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`${flag} must be a whole number, not ${JSON.stringify(value)}`);
  const n = Number(value.trim());
  if (n < min || n > max) throw new UsageError(`${flag} must be between ${min} and ${max}`);
  return n;
}
