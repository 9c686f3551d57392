// Domain records as the store keeps them (camelCase). Serializers in apps/server turn them into wire JSON.
import type { TimelineEntry } from "./scheduling.js";
import type { Status, WebhookEvent } from "./wire.js";

export type Visibility = "public" | "private";
export type PredictionSource = "api" | "web";

export interface Account {
  id: string;
  username: string;
  name: string;
  type: "user" | "organization";
  githubUrl: string | null;
  avatarUrl: string | null;
  createdAt: string;
}

export interface Model {
  id: string;
  /** The owning account's username. */
  owner: string;
  name: string;
  accountId: string;
  description: string | null;
  visibility: Visibility;
  isOfficial: boolean;
  githubUrl: string | null;
  paperUrl: string | null;
  licenseUrl: string | null;
  weightsUrl: string | null;
  coverImageUrl: string | null;
  readme: string | null;
  hardware: string;
  runCount: number;
  latestVersionId: string | null;
  defaultExampleId: string | null;
  createdAt: string;
  /** Set when the latest version was created; the default sort key of GET /v1/models. */
  latestVersionCreatedAt: string | null;
  /** Catalog entry (setCatalogEntry): search tags, lowercase. */
  tags: string[];
  pricing: ModelPricing | null;
  /** The documented bound of an instance's peak memory, in MiB; null when unknown. */
  memoryMb: number | null;
  /** Why the model cannot run here (a missing program, code that failed to load); null when it can. */
  unavailableReason: string | null;
}

/** The model fields the catalog sets apart from registration (ModelRepository.setCatalogEntry). */
export type ModelCatalogEntry = Pick<Model, "tags" | "pricing" | "memoryMb" | "unavailableReason">;

/**
 * How runs of a model are priced: per second of the model's hardware (its price comes from the hardware
 * catalog, so priceUsd is null), or a fixed price per unit of output (e.g. per image).
 */
export interface ModelPricing {
  unit: string;
  priceUsd: number | null;
}

/** A curated group of models (GET /v1/collections). */
export interface Collection {
  slug: string;
  name: string;
  description: string;
  fullDescription: string | null;
  /** Order of the collections list. */
  position: number;
}

/** A prediction the model's owner saved as one of its examples (GET /v1/models/{o}/{n}/examples). */
export interface ModelExample {
  modelId: string;
  /** The example's name in the model's manifest; one saved prediction per name. */
  name: string;
  predictionId: string;
  /** Order of the examples list (0 first). */
  position: number;
}

/**
 * How a runner starts an instance of a version. Every kind speaks the Cog HTTP protocol on $PORT.
 * - `node`: `node --import tsx <sdk instance bin> <entry>`; entry is a module whose default export is defineModel(...).
 * - `command`: any executable (a real Cog server included); `{port}` in args is replaced by the port.
 */
export type RuntimeSpec =
  | { kind: "node"; entry: string; concurrency: number; env?: Record<string, string> }
  | { kind: "command"; command: string; args: string[]; cwd?: string; concurrency: number; env?: Record<string, string> };

export interface Version {
  /** 64 lowercase hex: the sha256 of the version's content. */
  id: string;
  modelId: string;
  createdAt: string;
  cogVersion: string | null;
  openapiSchema: Record<string, unknown>;
  runtime: RuntimeSpec;
}

export interface PredictionMetrics {
  predict_time?: number;
  total_time?: number;
  [key: string]: number | undefined;
}

export interface Prediction {
  id: string;
  accountId: string;
  modelId: string;
  /** "owner/name" of the model, kept with the prediction so listing needs no join. */
  model: string;
  versionId: string;
  input: Record<string, unknown>;
  /** null until available; for iterator outputs an array that grows chunk by chunk. */
  output: unknown;
  logs: string;
  error: string | null;
  status: Status;
  source: PredictionSource;
  dataRemoved: boolean;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  deadline: string | null;
  metrics: PredictionMetrics | null;
  webhook: string | null;
  webhookEventsFilter: WebhookEvent[] | null;
  /** Whether the version's output is an iterator: such predictions carry urls.stream. */
  canStream: boolean;
  /** Whether its stream's output events are file URLs (isFileOutput): urls.stream then lives under /v1/files/. */
  streamsFiles?: boolean;
  /** The runner holding this prediction, and until when; null while queued. */
  leaseOwner: string | null;
  leaseExpiresAt: string | null;
  /**
   * When the retention sweeper removes this prediction's input, output, logs and output files (set when it
   * ends, from the account's retention; null = kept forever, or not ended yet).
   */
  dataExpiresAt?: string | null;
  /** The phases of its life (queued, booting, setup, running, …), oldest first; see scheduling.ts. */
  timeline?: TimelineEntry[];
  /** "owner/name" of the deployment it was created through, or null. */
  deployment?: string | null;
  /** "owner/name" of the deployment it was sent to when a fallback (deployment or version) served it instead. */
  fallbackFrom?: string | null;
  /** 1 for the first try; platform-failure retries count up. */
  attempt?: number;
}

export type NewPrediction = Omit<Prediction, "leaseOwner" | "leaseExpiresAt">;

/** Fields a status write may change; anything absent is left as it is. */
export type PredictionPatch = Partial<
  Pick<
    Prediction,
    "output" | "logs" | "error" | "status" | "startedAt" | "completedAt" | "metrics" | "dataRemoved" | "leaseOwner" | "leaseExpiresAt" | "dataExpiresAt" | "timeline" | "attempt"
  >
>;

export type WebhookMessageStatus = "pending" | "delivered" | "failed";

/** One webhook delivery (a message): its id is the `webhook-id` header, the same on every retry. */
export interface WebhookMessage {
  id: string;
  predictionId: string;
  accountId: string;
  event: WebhookEvent;
  url: string;
  status: WebhookMessageStatus;
  /** Only the terminal (`completed`) delivery is retried; intermediate ones are tried once. */
  durable: boolean;
  attempts: number;
  /** When the next attempt is due (also used as a short claim while a sender works on it); null when done. */
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  /**
   * The JSON body, rendered when an intermediate message is made (the state it reports); null renders the
   * prediction as it is when the message is sent (the completed message: its row is terminal by then).
   * Cleared once the message is done, so retention never has to look for a copy of a prediction's data here.
   */
  body?: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

/** One HTTP attempt of a webhook message, for the delivery log. */
export interface WebhookAttempt {
  messageId: string;
  /** 1-based. */
  attempt: number;
  at: string;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** A file in the blob store: uploaded through the Files API, or written by a model as output. */
export interface StoredFile {
  id: string;
  accountId: string;
  kind: "upload" | "output";
  /** The prediction whose output it is (kind "output"). */
  predictionId: string | null;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  md5: string;
  metadata: Record<string, unknown>;
  /** Where the bytes live in the blob store. */
  blobKey: string;
  createdAt: string;
  /** Uploads expire (24 h by default); output files go with their prediction's data. */
  expiresAt: string | null;
}
