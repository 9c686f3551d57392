// How to start an instance of a version: the executable, its arguments and environment, from its RuntimeSpec.
import { resolve } from "node:path";
import type { RuntimeSpec } from "@ferry/core";

export interface LaunchCommand {
  command: string;
  args: string[];
  cwd: string | undefined;
  env: Record<string, string>;
  /** A pipe on fd STATUS_FD (FERRY_STATUS_FD) on which an SDK instance announces its progress (node runtimes). */
  statusPipe?: boolean;
  /** Node runtimes: the model's entry file, which is all a spare process (spare-process.ts) needs besides `env`. */
  modelEntry?: string;
}

/** The fd of the status pipe a node instance gets: the first one after stdin, stdout and stderr. */
export const STATUS_FD = 3;

/** What an instance needs to know about files: where to PUT outputs, and the limits on the inputs it downloads. */
export interface InstanceFileSettings {
  /** Cog's --upload-url: the runner's upload sink, ending in "/". */
  uploadUrl: string;
  maxInputBytes: number;
  inputTimeoutMs: number;
}

/** The absolute file URL of tsx's ESM loader, resolved from this package so `node --import` finds it anywhere. */
export function tsxLoaderUrl(): string {
  return import.meta.resolve("tsx");
}

/**
 * Builds the command line of an instance listening on `host:port`.
 * - `node`: this Node binary with tsx's loader, the SDK's instance bin and the model's entry module.
 * - `command`: the spec's executable, with `{port}` in its arguments replaced by the port.
 * Every instance gets PORT, HOST, COG_MAX_CONCURRENCY and COG_THROTTLE_RESPONSE_INTERVAL=0 (webhooks unthrottled:
 * the runner is the only receiver and wants every chunk as it happens); the spec's env comes on top, except
 * PORT and HOST which are the runner's to choose. With `files`, COG_UPLOAD_URL, FERRY_MAX_INPUT_BYTES and
 * FERRY_INPUT_TIMEOUT are set too, and `{upload_url}` in a command's arguments is replaced by the upload URL.
 */
export async function launchCommandFor(runtime: RuntimeSpec, host: string, port: number, files?: InstanceFileSettings): Promise<LaunchCommand> {
  const env: Record<string, string> = {
    ...inheritedEnv(),
    COG_THROTTLE_RESPONSE_INTERVAL: "0",
    COG_MAX_CONCURRENCY: String(runtime.concurrency),
    ...(files === undefined
      ? {}
      : {
          COG_UPLOAD_URL: files.uploadUrl,
          FERRY_MAX_INPUT_BYTES: String(files.maxInputBytes),
          FERRY_INPUT_TIMEOUT: String(files.inputTimeoutMs / 1000),
        }),
    ...(runtime.env ?? {}),
    PORT: String(port),
    HOST: host,
  };
  if (runtime.kind === "node") {
    const { INSTANCE_BIN_PATH } = await import("@ferry/sdk");
    const entry = resolve(runtime.entry);
    return {
      command: process.execPath,
      args: ["--import", tsxLoaderUrl(), INSTANCE_BIN_PATH, entry],
      cwd: undefined,
      // The SDK instance exits when its stdin closes, so it cannot outlive a runner killed with SIGKILL.
      env: { ...env, FERRY_EXIT_WITH_PARENT: "1", FERRY_STATUS_FD: String(STATUS_FD) },
      statusPipe: true,
      modelEntry: entry,
    };
  }
  return {
    command: runtime.command,
    args: runtime.args.map((arg) => arg.replaceAll("{port}", String(port)).replaceAll("{upload_url}", files?.uploadUrl ?? "")),
    cwd: runtime.cwd,
    env,
  };
}

/**
 * A spare node instance (the SDK's spare bin): node, tsx and the SDK loaded, no model yet. It always exits with its
 * runner (its stdin is the lifeline from the start) and gets its instance's environment in the launch message.
 */
export async function spareLaunchCommand(): Promise<LaunchCommand> {
  const { SPARE_BIN_PATH } = await import("@ferry/sdk");
  return {
    command: process.execPath,
    args: ["--import", tsxLoaderUrl(), SPARE_BIN_PATH],
    cwd: undefined,
    env: { ...inheritedEnv(), FERRY_EXIT_WITH_PARENT: "1", FERRY_STATUS_FD: String(STATUS_FD) },
    statusPipe: true,
  };
}

/** The runner's own environment (PATH, HOME, …) minus undefined entries, which child_process rejects. */
function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  return env;
}
