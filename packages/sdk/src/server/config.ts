// Server options and the one place that reads Cog's runtime environment variables (cog-protocol §1.1).

/** Options of serveModel(); anything left out falls back to the Cog environment variables, then to defaults. */
export interface ServeOptions {
  /** 0 picks any free port; the real one is returned. */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Overrides the model's concurrency (env COG_MAX_CONCURRENCY). */
  concurrency?: number;
  /** Minimum gap between non-terminal webhooks of one prediction, in ms (env COG_THROTTLE_RESPONSE_INTERVAL, s; default 500). */
  throttleIntervalMs?: number;
  /** Bearer token sent with every webhook (env WEBHOOK_AUTH_TOKEN). */
  webhookAuthToken?: string | null;
  /** Setup fails after this long (env COG_SETUP_TIMEOUT, s; default: no limit). */
  setupTimeoutMs?: number | null;
  /** Echo ctx.log lines to stdout, as Cog tees model output to the container log (default true). */
  echoLogs?: boolean;
  /**
   * Cog's --upload-url: output files are PUT to `<uploadUrl><name>` (env COG_UPLOAD_URL). Null (the default) puts
   * them in the output as data: URIs.
   */
  uploadUrl?: string | null;
  /** Largest file input an instance downloads, in bytes (env FERRY_MAX_INPUT_BYTES; default 100 MiB). */
  maxInputBytes?: number;
  /** Longest a file input's download may take, in ms (env FERRY_INPUT_TIMEOUT, s; default 60 s). */
  inputTimeoutMs?: number;
}

export type ResolvedServeOptions = Required<ServeOptions>;

/** Fills unspecified options from `env` (Cog's variable names) and defaults. */
export function resolveServeOptions(options: ServeOptions, env: NodeJS.ProcessEnv = process.env): ResolvedServeOptions {
  return {
    port: options.port,
    host: options.host ?? "127.0.0.1",
    concurrency: options.concurrency ?? positiveInt(env["COG_MAX_CONCURRENCY"]) ?? 0,
    throttleIntervalMs: options.throttleIntervalMs ?? seconds(env["COG_THROTTLE_RESPONSE_INTERVAL"]) ?? 500,
    webhookAuthToken: options.webhookAuthToken ?? (env["WEBHOOK_AUTH_TOKEN"] || null),
    setupTimeoutMs: options.setupTimeoutMs ?? seconds(env["COG_SETUP_TIMEOUT"]) ?? null,
    echoLogs: options.echoLogs ?? true,
    uploadUrl: withSlash(options.uploadUrl !== undefined ? options.uploadUrl : env["COG_UPLOAD_URL"] || null),
    maxInputBytes: options.maxInputBytes ?? positiveInt(env["FERRY_MAX_INPUT_BYTES"]) ?? 100 * 1024 * 1024,
    inputTimeoutMs: options.inputTimeoutMs ?? seconds(env["FERRY_INPUT_TIMEOUT"]) ?? 60_000,
  };
}

/** Cog ensures the upload URL ends in a slash, so file names are appended to it. */
function withSlash(url: string | null): string | null {
  return url === null || url.endsWith("/") ? url : `${url}/`;
}

function positiveInt(value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : undefined;
}

function seconds(value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) && parsed >= 0 ? parsed * 1000 : undefined;
}
