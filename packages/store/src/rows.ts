// Row ↔ domain mapping: snake_case columns, JSON as text, booleans as 0/1 or boolean, to camelCase records.
import type { Selectable } from "kysely";
import type {
  Account,
  Model,
  ModelPricing,
  NewPrediction,
  Prediction,
  PredictionMetrics,
  PredictionPatch,
  PredictionSource,
  RuntimeSpec,
  Status,
  TimelineEntry,
  Version,
  Visibility,
  WebhookEvent,
} from "@ferry/core";
import type { AccountsTable, Dialect, ModelsTable, PredictionsTable, VersionsTable } from "./schema.js";

/** A prediction row as the repositories read it (every column but `seq`). */
export type PredictionRow = Omit<Selectable<PredictionsTable>, "seq">;

/** The prediction columns a read needs (everything but `seq`). */
export const PREDICTION_COLUMNS = [
  "id",
  "account_id",
  "model_id",
  "model",
  "version_id",
  "input",
  "output",
  "logs",
  "error",
  "status",
  "source",
  "data_removed",
  "created_at",
  "started_at",
  "completed_at",
  "deadline",
  "metrics",
  "webhook",
  "webhook_events_filter",
  "can_stream",
  "lease_owner",
  "lease_expires_at",
  "data_expires_at",
  "streams_files",
  "timeline",
  "attempt",
  "deployment",
  "fallback_from",
] as const satisfies readonly (keyof PredictionRow)[];

/** SQLite cannot bind booleans; PostgreSQL columns are boolean. */
export function dbBool(dialect: Dialect, value: boolean): boolean | 0 | 1 {
  return dialect === "sqlite" ? (value ? 1 : 0) : value;
}

function jsonOrNull(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}

/** JSON text for a nullable JSON column: null and undefined are SQL NULL. */
export function toJsonText(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

export function toAccount(row: Omit<Selectable<AccountsTable>, "data_retention_seconds" | "webhook_secret">): Account {
  return {
    id: row.id,
    username: row.username,
    name: row.name,
    type: row.type as Account["type"],
    githubUrl: row.github_url,
    avatarUrl: row.avatar_url,
    createdAt: row.created_at,
  };
}

export function toModel(row: Selectable<ModelsTable>): Model {
  return {
    id: row.id,
    owner: row.owner,
    name: row.name,
    accountId: row.account_id,
    description: row.description,
    visibility: row.visibility as Visibility,
    isOfficial: Boolean(row.is_official),
    githubUrl: row.github_url,
    paperUrl: row.paper_url,
    licenseUrl: row.license_url,
    weightsUrl: row.weights_url,
    coverImageUrl: row.cover_image_url,
    readme: row.readme,
    hardware: row.hardware,
    runCount: Number(row.run_count),
    latestVersionId: row.latest_version_id,
    defaultExampleId: row.default_example_id,
    createdAt: row.created_at,
    latestVersionCreatedAt: row.latest_version_created_at,
    tags: JSON.parse(row.tags) as string[],
    pricing: jsonOrNull(row.pricing) as ModelPricing | null,
    memoryMb: row.memory_mb === null ? null : Number(row.memory_mb),
    unavailableReason: row.unavailable_reason,
  };
}

export function toVersion(row: Selectable<VersionsTable>): Version {
  return {
    id: row.id,
    modelId: row.model_id,
    createdAt: row.created_at,
    cogVersion: row.cog_version,
    openapiSchema: JSON.parse(row.openapi_schema) as Record<string, unknown>,
    runtime: JSON.parse(row.runtime) as RuntimeSpec,
  };
}

export function toPrediction(row: PredictionRow): Prediction {
  return {
    id: row.id,
    accountId: row.account_id,
    modelId: row.model_id,
    model: row.model,
    versionId: row.version_id,
    input: JSON.parse(row.input) as Record<string, unknown>,
    output: jsonOrNull(row.output),
    logs: row.logs,
    error: row.error,
    status: row.status as Status,
    source: row.source as PredictionSource,
    dataRemoved: Boolean(row.data_removed),
    createdAt: row.created_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    deadline: row.deadline,
    metrics: jsonOrNull(row.metrics) as PredictionMetrics | null,
    webhook: row.webhook,
    webhookEventsFilter: jsonOrNull(row.webhook_events_filter) as WebhookEvent[] | null,
    canStream: Boolean(row.can_stream),
    streamsFiles: Boolean(row.streams_files),
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
    dataExpiresAt: row.data_expires_at,
    // Left out when unset, so rows written before timelines read back exactly as they were written.
    ...(row.timeline !== null ? { timeline: JSON.parse(row.timeline) as TimelineEntry[] } : {}),
    ...(row.attempt !== null ? { attempt: Number(row.attempt) } : {}),
    // Only deployment predictions carry these keys, so other rows read back exactly as they were written.
    ...(row.deployment !== null ? { deployment: row.deployment } : {}),
    ...(row.fallback_from !== null ? { fallbackFrom: row.fallback_from } : {}),
  };
}

export function fromNewPrediction(dialect: Dialect, p: NewPrediction): Omit<PredictionRow, "lease_owner" | "lease_expires_at"> {
  return {
    id: p.id,
    account_id: p.accountId,
    model_id: p.modelId,
    model: p.model,
    version_id: p.versionId,
    input: JSON.stringify(p.input),
    output: toJsonText(p.output),
    logs: p.logs,
    error: p.error,
    status: p.status,
    source: p.source,
    data_removed: dbBool(dialect, p.dataRemoved),
    created_at: p.createdAt,
    started_at: p.startedAt,
    completed_at: p.completedAt,
    deadline: p.deadline,
    metrics: toJsonText(p.metrics),
    webhook: p.webhook,
    webhook_events_filter: toJsonText(p.webhookEventsFilter),
    can_stream: dbBool(dialect, p.canStream),
    streams_files: dbBool(dialect, p.streamsFiles ?? false),
    data_expires_at: p.dataExpiresAt ?? null,
    timeline: toJsonText(p.timeline),
    attempt: p.attempt ?? null,
    deployment: p.deployment ?? null,
    fallback_from: p.fallbackFrom ?? null,
  };
}

/** The columns a patch sets; fields absent from the patch are left out. */
export function fromPatch(dialect: Dialect, patch: PredictionPatch): Partial<PredictionRow> {
  const set: Partial<PredictionRow> = {};
  if (patch.output !== undefined) set.output = toJsonText(patch.output);
  if (patch.logs !== undefined) set.logs = patch.logs;
  if (patch.error !== undefined) set.error = patch.error;
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.startedAt !== undefined) set.started_at = patch.startedAt;
  if (patch.completedAt !== undefined) set.completed_at = patch.completedAt;
  if (patch.metrics !== undefined) set.metrics = toJsonText(patch.metrics);
  if (patch.dataRemoved !== undefined) set.data_removed = dbBool(dialect, patch.dataRemoved);
  if (patch.leaseOwner !== undefined) set.lease_owner = patch.leaseOwner;
  if (patch.leaseExpiresAt !== undefined) set.lease_expires_at = patch.leaseExpiresAt;
  if (patch.dataExpiresAt !== undefined) set.data_expires_at = patch.dataExpiresAt;
  if (patch.timeline !== undefined) set.timeline = toJsonText(patch.timeline);
  if (patch.attempt !== undefined) set.attempt = patch.attempt;
  return set;
}
