// The server's configuration: the environment parsed once at boot into a typed object. Nothing else reads process.env.
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { isAllowEntry } from "@ferry/runner";

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

/** Everything the composition root needs to know, validated. */
export interface Config {
  port: number;
  host: string;
  /** Absolute path of the folder that holds the SQLite database and local files. */
  dataDir: string;
  /** null: SQLite in `dataDir`; otherwise a postgres:// URL. */
  databaseUrl: string | null;
  /** Base of every URL the API returns, without a trailing slash. */
  publicUrl: string;
  /** Token of the first account when none exists; null generates one. */
  bootstrapToken: string | null;
  bootstrapUsername: string;
  logLevel: LogLevel;
  /** Absolute path of the folder scanned for built-in models (one folder with a ferry.json each). */
  modelsDir: string;
  /** How long an idle model instance is kept before it is stopped. */
  instanceIdleTimeoutMs: number;
  maxInstances: number;
  /** Seconds an ended API prediction keeps its data unless its account says otherwise; -1 = forever. */
  dataRetentionSeconds: number;
  /** How often the retention sweeper runs. */
  retentionSweepMs: number;
  /** Largest Files-API upload, in bytes (413 above it). */
  maxUploadBytes: number;
  /** Where file bytes live: null keeps them in `<dataDir>/blobs`; otherwise S3-compatible object storage. */
  s3: S3Config | null;
  /** How the runner fetches file inputs given as URLs. */
  inputs: InputFetchConfig;
  /** Whether the API process runs a runner of its own (FERRY_EMBEDDED_RUNNER, default true). */
  embeddedRunner: boolean;
  /** Whether the embedded runner keeps a pre-started process to boot node instances from (FERRY_SPARE_PROCESS, default true). */
  spareProcess: boolean;
  /** Tokens `ferry runner` processes authenticate with (FERRY_RUNNER_TOKEN, comma-separated); none: no remote runners. */
  runnerTokens: string[];
  /** Whether each official model's first example is run after start to make its default_example (FERRY_RUN_EXAMPLES). */
  runExamples: boolean;
  /**
   * Warm instances every available official model keeps (FERRY_OFFICIAL_MIN_INSTANCES, default 1): the scheduler
   * keeps at least this many running per official model; 0 lets them scale to zero like any other model.
   */
  officialMinInstances: number;
  /** Queued predictions a deployment takes before answering 429 (a deployment's max_queue overrides it). */
  maxQueuePerDeployment: number;
  /** How long a deployment must be offline and unused before it may be deleted (spec §2.7: 15 minutes). */
  deploymentDeleteIdleMs: number;
}

/** Limits and address policy for file inputs the runner downloads (docs/files.md). */
export interface InputFetchConfig {
  /** Largest input file, in bytes. */
  maxBytes: number;
  /** Longest one download may take. */
  timeoutMs: number;
  /** Host names, IP addresses and CIDRs fetched from even when private, loopback or link-local. */
  allowedHosts: string[];
}

/** S3-compatible blob storage; credentials come from the AWS SDK's own chain (AWS_ACCESS_KEY_ID, …). */
export interface S3Config {
  bucket: string;
  /** null: AWS itself. */
  endpoint: string | null;
  region: string;
  forcePathStyle: boolean;
}

/** Thrown when the environment holds an invalid value; its message lists every problem, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const REPO_MODELS_DIR = fileURLToPath(new URL("../../../models", import.meta.url));

const integer = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${name} must be between ${min} and ${max}`);

const httpUrl = (name: string) =>
  z.string().refine((value) => {
    if (!URL.canParse(value)) return false;
    const protocol = new URL(value).protocol;
    return protocol === "http:" || protocol === "https:";
  }, `${name} must be an absolute http:// or https:// URL`);

const schema = z.object({
  PORT: integer("PORT", 0, 65535).optional(),
  HOST: z.string().optional(),
  FERRY_DATA_DIR: z.string().optional(),
  DATABASE_URL: z
    .string()
    .refine((v) => /^postgres(ql)?:\/\//.test(v), "DATABASE_URL must be a postgres:// URL (leave it unset for SQLite)")
    .optional(),
  FERRY_PUBLIC_URL: httpUrl("FERRY_PUBLIC_URL").optional(),
  FERRY_BOOTSTRAP_TOKEN: z
    .string()
    .refine((v) => v.length >= 8 && !/\s/.test(v), "FERRY_BOOTSTRAP_TOKEN must be at least 8 characters, without spaces")
    .optional(),
  FERRY_BOOTSTRAP_USERNAME: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]*$/, "FERRY_BOOTSTRAP_USERNAME must use lowercase letters, digits, '.', '_' and '-'")
    .optional(),
  FERRY_LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      error: "FERRY_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent",
    })
    .optional(),
  FERRY_MODELS_DIR: z.string().optional(),
  FERRY_INSTANCE_IDLE_TIMEOUT: integer("FERRY_INSTANCE_IDLE_TIMEOUT", 0, 7 * 24 * 3600).optional(),
  FERRY_MAX_INSTANCES: integer("FERRY_MAX_INSTANCES", 1, 1024).optional(),
  FERRY_DATA_RETENTION: z
    .string()
    .regex(/^(\d+|-1|forever)$/, "FERRY_DATA_RETENTION must be a whole number of seconds, -1 or \"forever\"")
    .transform((v) => (v === "forever" ? -1 : Number(v)))
    .optional(),
  FERRY_RETENTION_SWEEP_INTERVAL: integer("FERRY_RETENTION_SWEEP_INTERVAL", 1, 24 * 3600).optional(),
  FERRY_RUN_EXAMPLES: z
    .enum(["true", "false", "1", "0"], { error: "FERRY_RUN_EXAMPLES must be true or false" })
    .transform((v) => v === "true" || v === "1")
    .optional(),
  FERRY_OFFICIAL_MIN_INSTANCES: integer("FERRY_OFFICIAL_MIN_INSTANCES", 0, 64).optional(),
  FERRY_MAX_QUEUE_PER_DEPLOYMENT: integer("FERRY_MAX_QUEUE_PER_DEPLOYMENT", 1, 1_000_000).optional(),
  FERRY_DEPLOYMENT_DELETE_IDLE: integer("FERRY_DEPLOYMENT_DELETE_IDLE", 0, 7 * 24 * 3600).optional(),
  FERRY_EMBEDDED_RUNNER: z
    .enum(["true", "false", "1", "0"], { error: "FERRY_EMBEDDED_RUNNER must be true or false" })
    .transform((v) => v === "true" || v === "1")
    .optional(),
  FERRY_SPARE_PROCESS: z
    .enum(["true", "false", "1", "0"], { error: "FERRY_SPARE_PROCESS must be true or false" })
    .transform((v) => v === "true" || v === "1")
    .optional(),
  FERRY_RUNNER_TOKEN: z
    .string()
    .transform((v) => v.split(",").map((t) => t.trim()).filter((t) => t !== ""))
    .refine((tokens) => tokens.every((t) => t.length >= 16 && !/\s/.test(t)), "FERRY_RUNNER_TOKEN must be at least 16 characters, without spaces (commas separate several)")
    .optional(),
  FERRY_MAX_UPLOAD_BYTES: integer("FERRY_MAX_UPLOAD_BYTES", 1, 5 * 1024 ** 4).optional(),
  FERRY_MAX_INPUT_BYTES: integer("FERRY_MAX_INPUT_BYTES", 1, 5 * 1024 ** 4).optional(),
  FERRY_INPUT_TIMEOUT: integer("FERRY_INPUT_TIMEOUT", 1, 24 * 3600).optional(),
  FERRY_ALLOWED_INPUT_HOSTS: z
    .string()
    .transform((v) => v.split(",").map((entry) => entry.trim()).filter((entry) => entry !== ""))
    .superRefine((entries, ctx) => {
      for (const entry of entries.filter((e) => !isAllowEntry(e))) {
        ctx.addIssue({ code: "custom", message: `FERRY_ALLOWED_INPUT_HOSTS: ${JSON.stringify(entry)} is not a host name, IP address or CIDR` });
      }
    })
    .optional(),
  FERRY_S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "FERRY_S3_BUCKET must be an S3 bucket name (3-63 lowercase letters, digits, '.' and '-')")
    .optional(),
  FERRY_S3_ENDPOINT: httpUrl("FERRY_S3_ENDPOINT").optional(),
  FERRY_S3_REGION: z.string().regex(/^[a-z0-9-]+$/, "FERRY_S3_REGION must be a region name such as us-east-1").optional(),
  FERRY_S3_FORCE_PATH_STYLE: z
    .enum(["true", "false", "1", "0"], { error: "FERRY_S3_FORCE_PATH_STYLE must be true or false" })
    .transform((v) => v === "true" || v === "1")
    .optional(),
});

const S3_SETTINGS = ["FERRY_S3_ENDPOINT", "FERRY_S3_REGION", "FERRY_S3_FORCE_PATH_STYLE"] as const;

/**
 * Parses an environment (process.env in production, a plain object in tests) into a Config.
 * Empty values count as unset. Throws ConfigError listing every invalid variable.
 */
export function parseConfig(env: Record<string, string | undefined>, cwd: string = process.cwd()): Config {
  const present: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key]?.trim();
    if (value) present[key] = value;
  }
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => issue.message));
  }
  const e = parsed.data;
  const strayS3 = S3_SETTINGS.filter((name) => e[name] !== undefined);
  if (e.FERRY_S3_BUCKET === undefined && strayS3.length > 0) {
    throw new ConfigError(strayS3.map((name) => `${name} needs FERRY_S3_BUCKET (without it files are kept in the data folder)`));
  }
  if (e.FERRY_EMBEDDED_RUNNER === false && (e.FERRY_RUNNER_TOKEN ?? []).length === 0) {
    throw new ConfigError(["FERRY_EMBEDDED_RUNNER=false needs FERRY_RUNNER_TOKEN: without a runner of its own, the API runs work only on `ferry runner` processes, which need a token"]);
  }
  const port = e.PORT ?? 8080;
  return {
    port,
    host: e.HOST ?? "0.0.0.0",
    dataDir: resolve(cwd, e.FERRY_DATA_DIR ?? ".ferry"),
    databaseUrl: e.DATABASE_URL ?? null,
    publicUrl: (e.FERRY_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, ""),
    bootstrapToken: e.FERRY_BOOTSTRAP_TOKEN ?? null,
    bootstrapUsername: e.FERRY_BOOTSTRAP_USERNAME ?? "admin",
    logLevel: e.FERRY_LOG_LEVEL ?? "info",
    modelsDir: e.FERRY_MODELS_DIR ? resolve(cwd, e.FERRY_MODELS_DIR) : REPO_MODELS_DIR,
    instanceIdleTimeoutMs: (e.FERRY_INSTANCE_IDLE_TIMEOUT ?? 300) * 1000,
    maxInstances: e.FERRY_MAX_INSTANCES ?? 4,
    dataRetentionSeconds: e.FERRY_DATA_RETENTION ?? 3600,
    retentionSweepMs: (e.FERRY_RETENTION_SWEEP_INTERVAL ?? 60) * 1000,
    runExamples: e.FERRY_RUN_EXAMPLES ?? true,
    officialMinInstances: e.FERRY_OFFICIAL_MIN_INSTANCES ?? 1,
    maxUploadBytes: e.FERRY_MAX_UPLOAD_BYTES ?? 100 * 1024 * 1024,
    maxQueuePerDeployment: e.FERRY_MAX_QUEUE_PER_DEPLOYMENT ?? 100,
    deploymentDeleteIdleMs: (e.FERRY_DEPLOYMENT_DELETE_IDLE ?? 900) * 1000,
    inputs: {
      maxBytes: e.FERRY_MAX_INPUT_BYTES ?? 100 * 1024 * 1024,
      timeoutMs: (e.FERRY_INPUT_TIMEOUT ?? 60) * 1000,
      allowedHosts: e.FERRY_ALLOWED_INPUT_HOSTS ?? [],
    },
    embeddedRunner: e.FERRY_EMBEDDED_RUNNER ?? true,
    spareProcess: e.FERRY_SPARE_PROCESS ?? true,
    runnerTokens: e.FERRY_RUNNER_TOKEN ?? [],
    s3:
      e.FERRY_S3_BUCKET === undefined
        ? null
        : {
            bucket: e.FERRY_S3_BUCKET,
            endpoint: e.FERRY_S3_ENDPOINT ?? null,
            region: e.FERRY_S3_REGION ?? "us-east-1",
            // S3-compatible servers mostly need path-style addressing; AWS itself prefers virtual hosts.
            forcePathStyle: e.FERRY_S3_FORCE_PATH_STYLE ?? e.FERRY_S3_ENDPOINT !== undefined,
          },
  };
}

/** Reads process.env once; the only place in the server that does. */
export function loadConfig(): Config {
  return parseConfig(process.env);
}
