// The JSON the UI reads from /v1: Replicate's wire shapes plus Ferry's extra fields, all optional where a server
// may not send them yet, so the pages degrade instead of breaking. Shapes the server's wire types pin down exactly
// come from @ferry/core (types only: nothing of it is bundled).
import type { HardwareJSON, Page, Status, TimelineEntry } from "@ferry/core";

export type { Page, TimelineEntry };
export type PredictionStatus = Status;
export type Hardware = HardwareJSON;

export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  enum?: unknown[];
  format?: string;
  nullable?: boolean;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  allOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  $ref?: string;
  "x-order"?: number;
  "x-cog-array-type"?: string;
  "x-cog-array-display"?: string;
  [key: string]: unknown;
}

export interface OpenApiSchema {
  components?: { schemas?: Record<string, JsonSchema> };
}

export interface Version {
  id: string;
  created_at: string;
  cog_version: string | null;
  openapi_schema: OpenApiSchema | null;
}

export interface Pricing {
  /** Free-form: servers describe price per second, per run or per unit. */
  [key: string]: unknown;
}

export interface Model {
  url: string;
  owner: string;
  name: string;
  description: string | null;
  visibility: "public" | "private";
  github_url: string | null;
  paper_url: string | null;
  license_url: string | null;
  weights_url?: string | null;
  run_count?: number;
  cover_image_url?: string | null;
  default_example?: Prediction | null;
  latest_version: Version | null;
  is_official?: boolean;
  tags?: string[];
  pricing?: Pricing | null;
  unavailable_reason?: string | null;
  hardware?: string | null;
}

export interface Prediction {
  id: string;
  model: string;
  version: string;
  input: Record<string, unknown>;
  output: unknown;
  logs: string | null;
  error: unknown;
  status: PredictionStatus;
  source?: string;
  data_removed?: boolean;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  metrics?: Record<string, number | undefined>;
  deployment?: string | null;
  urls: { get: string; cancel: string; web?: string; stream?: string };
  timeline?: TimelineEntry[];
}

export interface Collection {
  name: string;
  slug: string;
  description: string | null;
  full_description?: string | null;
  models?: Model[];
}

export interface SearchResponse {
  query: string;
  models: { model: Model; metadata?: { tags?: string[]; score?: number | null } }[];
  collections: { name: string; slug: string; description: string | null }[];
}

export interface DeploymentRelease {
  number: number;
  model: string;
  version: string;
  created_at: string;
  created_by?: { username: string } | null;
  configuration: { hardware: string; min_instances: number; max_instances: number; max_queue?: number | null };
}

export interface Deployment {
  owner: string;
  name: string;
  current_release: DeploymentRelease | null;
  /** Extras a server may add: earlier releases, live instances, queue and latency. */
  releases?: DeploymentRelease[];
  instances?: { id?: string; state?: string; status?: string }[] | number;
  state?: string;
  queue_depth?: number;
  queued?: number;
  latency?: Record<string, number | null> | number | null;
  [key: string]: unknown;
}

export interface Account {
  type: string;
  username: string;
  name: string;
  github_url?: string;
  avatar_url?: string;
}

export interface ApiToken {
  id: string;
  name: string;
  created_at: string;
}

export interface WebhookAttempt {
  attempt?: number;
  status_code?: number | null;
  error?: string | null;
  at?: string;
  [key: string]: unknown;
}

export interface WebhookDelivery {
  id?: string;
  message_id?: string;
  event?: string;
  url?: string;
  status?: string;
  attempts?: WebhookAttempt[];
  [key: string]: unknown;
}

export interface FileObject {
  id: string;
  name?: string;
  content_type: string;
  size: number;
  urls: { get: string };
}
