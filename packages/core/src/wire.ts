// Wire types: the JSON shapes of the public API (snake_case), exactly as spec/replicate-api.md §3.7 gives them.
import type { TimelineEntry } from "./scheduling.js";

export type Status = "starting" | "processing" | "succeeded" | "failed" | "canceled" | "aborted";
export type WebhookEvent = "start" | "output" | "logs" | "completed";
export const WEBHOOK_EVENTS: readonly WebhookEvent[] = ["start", "output", "logs", "completed"];

export interface Page<T> {
  previous: string | null;
  next: string | null;
  results: T[];
}

export interface InvalidField {
  type: string;
  field: string;
  description: string;
}

export interface Problem {
  title?: string;
  detail: string;
  status: number;
  type?: string;
  instance?: string;
  invalid_fields?: InvalidField[];
}

export interface PredictionJSON {
  id: string;
  model: string;
  version: string;
  input: Record<string, unknown>;
  output: unknown;
  logs: string | null;
  error: string | null;
  status: Status;
  source: "api" | "web";
  data_removed: boolean;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  deadline?: string;
  deployment?: string;
  /** Ferry: the deployment this prediction was sent to when its fallback served it instead. */
  fallback_from?: string;
  metrics?: { predict_time?: number; total_time?: number; [k: string]: unknown };
  webhook?: string;
  webhook_events_filter?: WebhookEvent[];
  urls: { get: string; cancel: string; web: string; stream?: string };
  /** Ferry: the phases of the prediction's life (queued, booting, setup, running, …), oldest first. */
  timeline?: TimelineEntry[];
}

export interface VersionJSON {
  id: string;
  created_at: string;
  cog_version: string | null;
  openapi_schema: object | null;
}

export interface ModelJSON {
  url: string;
  owner: string;
  name: string;
  description: string | null;
  visibility: "public" | "private";
  is_official: boolean;
  github_url: string | null;
  paper_url: string | null;
  license_url: string | null;
  weights_url: string | null;
  run_count: number;
  cover_image_url: string | null;
  default_example: PredictionJSON | null;
  latest_version: VersionJSON | null;
  created_at: string;
}

export interface AccountJSON {
  type: "user" | "organization";
  username: string;
  name: string;
  github_url?: string;
  avatar_url?: string;
}

export interface HardwareJSON {
  name: string;
  sku: string;
}

/** A Files-API object (spec §3.6); `etag` is the md5 of the content. */
export interface FileJSON {
  id: string;
  name: string;
  content_type: string;
  size: number;
  etag: string;
  checksums: { sha256: string; md5: string };
  metadata: Record<string, unknown>;
  created_at: string;
  expires_at: string | null;
  urls: { get: string };
}
