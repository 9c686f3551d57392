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
}

export interface Database {
  accounts: AccountsTable;
  api_tokens: ApiTokensTable;
  models: ModelsTable;
  versions: VersionsTable;
  predictions: PredictionsTable;
}

export type Dialect = "sqlite" | "postgres";
