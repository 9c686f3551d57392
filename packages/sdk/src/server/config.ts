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
  };
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
