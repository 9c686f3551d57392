// Kysely's view of the tables: column names and the types both engines hand back (see migrations.ts).
import type { ColumnType, Generated, SqlBool } from "kysely";

/** Booleans are `boolean` in PostgreSQL and 0/1 in SQLite; write them with `dbBool`. */
type Bool = ColumnType<SqlBool, SqlBool, SqlBool>;

export interface AccountsTable {
  id: string;
  username: string;
  name: string;
  type: string;
  github_url: string | null;
  avatar_url: string | null;
  created_at: string;
  /** Seconds API predictions keep their data once ended; null = the server default, -1 = forever. */
  data_retention_seconds: ColumnType<number | null, number | null | undefined, number | null>;
  /** The account's webhook signing secret (whsec_…), made on first use. */
  webhook_secret: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ApiTokensTable {
  id: string;
  account_id: string;
  token_hash: string;
  name: string;
  created_at: string;
}

export interface ModelsTable {
  id: string;
  account_id: string;
  owner: string;
  name: string;
  description: string | null;
  visibility: string;
  is_official: Bool;
  github_url: string | null;
  paper_url: string | null;
  license_url: string | null;
  weights_url: string | null;
  cover_image_url: string | null;
  readme: string | null;
  hardware: string;
  run_count: number;
  latest_version_id: string | null;
  latest_version_created_at: string | null;
  default_example_id: string | null;
  created_at: string;
  /** JSON array of lowercase tags. */
  tags: ColumnType<string, string | undefined, string>;
  /** JSON {unit, priceUsd}, or null. */
  pricing: ColumnType<string | null, string | null | undefined, string | null>;
  memory_mb: ColumnType<number | null, number | null | undefined, number | null>;
  unavailable_reason: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface CollectionsTable {
  slug: string;
  name: string;
  description: string;
  full_description: string | null;
  position: number;
}

export interface CollectionModelsTable {
  collection_slug: string;
  model_id: string;
  position: number;
}

export interface ModelExamplesTable {
  model_id: string;
  name: string;
  prediction_id: string;
  position: number;
}

export interface VersionsTable {
  id: string;
  model_id: string;
  created_at: string;
  cog_version: string | null;
  /** JSON text. */
  openapi_schema: string;
  /** JSON text. */
  runtime: string;
}

export interface PredictionsTable {
  /** Insertion order: keyset pagination and queue order. PostgreSQL's bigint arrives as a string. */
  seq: Generated<number | string>;
  id: string;
  account_id: string;
  model_id: string;
  model: string;
  version_id: string;
  /** JSON text. */
  input: string;
  /** JSON text, null while there is no output. */
  output: string | null;
  logs: string;
  error: string | null;
  status: string;
  source: string;
  data_removed: Bool;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  deadline: string | null;
  /** JSON text. */
  metrics: string | null;
  webhook: string | null;
  /** JSON text. */
  webhook_events_filter: string | null;
  can_stream: Bool;
  lease_owner: string | null;
  lease_expires_at: string | null;
  /** When the retention sweeper removes the data; null while running, when kept forever, or once removed. */
  data_expires_at: ColumnType<string | null, string | null | undefined, string | null>;
  streams_files: ColumnType<SqlBool, SqlBool | undefined, SqlBool>;
  /** JSON text: the prediction's timeline entries, oldest first; null on rows from before 0008_scheduling. */
  timeline: ColumnType<string | null, string | null | undefined, string | null>;
  /** 1 for the first try, counting up with platform-failure retries; null reads as 1. */
  attempt: ColumnType<number | null, number | null | undefined, number | null>;
  /** "owner/name" of the deployment it was made through (or that served it as a fallback). */
  deployment: ColumnType<string | null, string | null | undefined, string | null>;
  /** "owner/name" of the deployment a fallback stood in for. */
  fallback_from: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface Database {
  accounts: AccountsTable;
  api_tokens: ApiTokensTable;
  models: ModelsTable;
  versions: VersionsTable;
  predictions: PredictionsTable;
  settings: SettingsTable;
  collections: CollectionsTable;
  collection_models: CollectionModelsTable;
  model_examples: ModelExamplesTable;
  files: FilesTable;
  webhook_messages: WebhookMessagesTable;
  webhook_attempts: WebhookAttemptsTable;
  deployments: DeploymentsTable;
  deployment_releases: DeploymentReleasesTable;
}

export interface DeploymentsTable {
  id: string;
  account_id: string;
  owner: string;
  name: string;
  /** The number of the current release in deployment_releases. */
  current_release: number;
  created_at: string;
}

export interface DeploymentReleasesTable {
  deployment_id: string;
  number: number;
  model_id: string;
  model: string;
  version_id: string;
  hardware: string;
  min_instances: number;
  max_instances: number;
  max_queue: number | null;
  fallback: string | null;
  retry_crashed: Bool;
  created_at: string;
  /** The account that made the release. */
  created_by: string;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface FilesTable {
  id: string;
  account_id: string;
  /** "upload" (Files API) or "output" (a model's output file). */
  kind: string;
  prediction_id: string | null;
  name: string;
  content_type: string;
  /** PostgreSQL's bigint arrives as a string. */
  size: number | string;
  sha256: string;
  md5: string;
  /** JSON text. */
  metadata: string;
  blob_key: string;
  created_at: string;
  expires_at: string | null;
}

/** The webhook outbox: one row per delivery (message); its id is the webhook-id header. */
export interface WebhookMessagesTable {
  /** Insertion order: delivery order and the delivery log's order. PostgreSQL's bigint arrives as a string. */
  seq: Generated<number | string>;
  id: string;
  prediction_id: string;
  account_id: string;
  event: string;
  url: string;
  /** "pending", "delivered" or "failed". */
  status: string;
  durable: Bool;
  attempts: number;
  /** When a pending message is next due (or until when a sender holds its claim). */
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  /** JSON text of an intermediate message's body; null renders the prediction at send time. */
  body: string | null;
  created_at: string;
  delivered_at: string | null;
}

export interface WebhookAttemptsTable {
  message_id: string;
  attempt: number;
  at: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

export type Dialect = "sqlite" | "postgres";
