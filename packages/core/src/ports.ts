// Ports: the interfaces the engine talks to the world through. Each has (or will have) more than one
// implementation and a contract test suite that every implementation passes.
import type {
  Account,
  Collection,
  Model,
  ModelCatalogEntry,
  ModelExample,
  NewPrediction,
  Prediction,
  PredictionPatch,
  RuntimeSpec,
  StoredFile,
  Version,
  WebhookAttempt,
  WebhookMessage,
  WebhookMessageStatus,
} from "./domain.js";
import type { DeploymentRepository } from "./deployments.js";
import type { PredictionEvent } from "./prediction-state.js";
import type { HeartbeatReply, InstanceEvent, InstanceReport, RunnerRegistration } from "./scheduling.js";
import type { Status } from "./wire.js";

/** A page of rows and the opaque cursor of the next page (null at the end). */
export interface Slice<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageRequest {
  /** Opaque cursor from a previous Slice, or null for the first page. */
  cursor: string | null;
  limit: number;
}

/** An API token as stored: only its hash is kept, so its value can never be shown again. */
export interface ApiTokenRecord {
  id: string;
  name: string;
  createdAt: string;
}

export interface AccountRepository {
  create(account: Omit<Account, "createdAt"> & { createdAt?: string }): Promise<Account>;
  count(): Promise<number>;
  findById(id: string): Promise<Account | null>;
  findByUsername(username: string): Promise<Account | null>;
  /** Stores only the hash of a token; returns the stored record. */
  addToken(input: { accountId: string; tokenHash: string; name: string; createdAt: string }): Promise<ApiTokenRecord>;
  findByTokenHash(tokenHash: string): Promise<Account | null>;
  /** The account's tokens (never their values), oldest first. */
  listTokens(accountId: string): Promise<ApiTokenRecord[]>;
  /** Deletes one of the account's tokens; returns its hash (to forget cached lookups), or null if none matched. */
  deleteToken(accountId: string, tokenId: string): Promise<string | null>;
  /** The account's webhook signing secret, created (newWebhookSecret) and stored on first use. */
  webhookSecret(accountId: string): Promise<string>;
  /** Seconds API predictions keep their data after they end; null = the server default; -1 = forever. */
  getDataRetention(accountId: string): Promise<number | null>;
  setDataRetention(accountId: string, seconds: number | null): Promise<void>;
}

export interface ModelListQuery extends PageRequest {
  /** Private models of this account are included; null lists public models only. */
  viewerAccountId: string | null;
  sortBy: "model_created_at" | "latest_version_created_at";
  sortDirection: "asc" | "desc";
}

export interface ModelRepository {
  /**
   * Inserts the model, or updates its descriptive fields when (owner, name) exists. Never changes run_count, nor
   * the catalog entry (setCatalogEntry).
   */
  upsert(
    model: Omit<Model, "id" | "runCount" | "latestVersionId" | "latestVersionCreatedAt" | "defaultExampleId" | "createdAt" | keyof ModelCatalogEntry> & {
      createdAt: string;
    },
  ): Promise<Model>;
  get(owner: string, name: string): Promise<Model | null>;
  getById(id: string): Promise<Model | null>;
  list(query: ModelListQuery): Promise<Slice<Model>>;
  /**
   * Case-insensitive match on name, tags, owner, description and readme, ranked in that order; official models
   * first within a rank, then newest first.
   */
  search(query: { text: string; viewerAccountId: string | null } & PageRequest): Promise<Slice<Model>>;
  incrementRunCount(modelId: string): Promise<void>;
  /** Replaces the model's tags, pricing, memory bound and availability. Returns the model, or null if unknown. */
  setCatalogEntry(modelId: string, entry: ModelCatalogEntry): Promise<Model | null>;
  /** Points the model's default_example at one of its predictions (null: none). */
  setDefaultExample(modelId: string, predictionId: string | null): Promise<void>;
}

export interface CollectionRepository {
  /** Creates or updates the collection (by slug) and makes `modelIds`, in that order, its only models. */
  put(collection: Collection, modelIds: string[]): Promise<void>;
  /** In list order (position, then slug). */
  list(page: PageRequest): Promise<Slice<Collection>>;
  get(slug: string): Promise<Collection | null>;
  /** The collection's models the viewer may see (public ones, and the viewer's own), in the collection's order. */
  models(slug: string, viewerAccountId: string | null): Promise<Model[]>;
  /** Collections whose slug, name or description contains `text` (case-insensitive), name matches first. */
  search(text: string, limit: number): Promise<Collection[]>;
}

export interface ExampleRepository {
  /** Saves the example, replacing the one of the same model and name. */
  save(example: ModelExample): Promise<void>;
  /** The model's saved examples as predictions, in position order. */
  list(modelId: string, page: PageRequest): Promise<Slice<Prediction>>;
}

export interface VersionRepository {
  /** Inserts the version unless one with the same id exists (content-addressed), and makes it the model's latest. */
  create(version: Version): Promise<Version>;
  get(id: string): Promise<Version | null>;
  list(modelId: string, page: PageRequest): Promise<Slice<Version>>;
}

export interface PredictionListQuery extends PageRequest {
  accountId: string;
  createdAfter?: string;
  createdBefore?: string;
  source?: "api" | "web";
}

export interface ClaimRequest {
  runnerId: string;
  versionId: string;
  /** ISO time the lease lasts until. */
  leaseUntil: string;
}

export interface PredictionRepository {
  insert(prediction: NewPrediction): Promise<Prediction>;
  get(id: string): Promise<Prediction | null>;
  /** Newest first. */
  list(query: PredictionListQuery): Promise<Slice<Prediction>>;
  /**
   * Compare-and-set: applies `patch` only while the prediction's status is still `expected`.
   * Returns the updated row, or null when the status had moved on (or the id is unknown).
   */
  update(id: string, expected: Status, patch: PredictionPatch, options?: UpdateOptions): Promise<Prediction | null>;
  /**
   * Takes the oldest queued (status "starting", no lease) prediction of a version and leases it to a
   * runner, atomically: under any number of concurrent callers each prediction is taken once.
   */
  claim(request: ClaimRequest): Promise<Prediction | null>;
  /** Extends the leases this runner still holds. Returns how many rows it renewed. */
  renewLeases(runnerId: string, ids: string[], leaseUntil: string): Promise<number>;
  /** Version ids with queued (starting, unleased) predictions, and how many each has. */
  queuedVersions(): Promise<{ versionId: string; count: number }[]>;
  /** Non-terminal predictions whose lease expired before `now`, or that are held by one of `runnerIds`. */
  findLeased(filter: { expiredBefore?: string; runnerIds?: string[] }): Promise<Prediction[]>;
  /** Non-terminal predictions with a deadline at or before `now`. */
  findPastDeadline(now: string, limit: number): Promise<Prediction[]>;
  /**
   * Releases the lease of a prediction that has not started, so another runner may claim it. `requeue` is
   * written in the same statement (a retry's timeline entry and attempt number).
   */
  releaseLease(id: string, runnerId: string, requeue?: Pick<PredictionPatch, "timeline" | "attempt">): Promise<boolean>;
  /** Ended predictions whose data is due for removal (dataExpiresAt <= now, not yet removed), oldest first. */
  findDataExpired(now: string, limit: number): Promise<Prediction[]>;
  /** Empties input, output and logs and sets data_removed; the status and timestamps stay. Returns rows changed. */
  removeData(ids: string[]): Promise<number>;
}

export interface UpdateOptions {
  /**
   * Webhook messages written in the same transaction as the update, only if it applies: the terminal
   * delivery survives a crash right after the status write (the outbox).
   */
  enqueue?: WebhookMessage[];
}

export interface WebhookRepository {
  /** Stores messages outside a status write (intermediate events, re-sends). */
  enqueue(messages: WebhookMessage[]): Promise<void>;
  /**
   * Pending messages due at `now`, oldest first, claimed until `claimUntil` (their nextAttemptAt moves there),
   * so two senders never work on one message at once.
   */
  claimDue(now: string, claimUntil: string, limit: number): Promise<WebhookMessage[]>;
  /** Logs one attempt and moves the message to its next state. */
  recordAttempt(
    attempt: WebhookAttempt,
    next: { status: WebhookMessageStatus; nextAttemptAt: string | null; lastStatusCode: number | null; lastError: string | null; deliveredAt: string | null },
  ): Promise<void>;
  get(id: string): Promise<WebhookMessage | null>;
  /** Every message of a prediction with its attempts, oldest first. */
  listForPrediction(predictionId: string): Promise<{ message: WebhookMessage; attempts: WebhookAttempt[] }[]>;
  /** Makes a message pending again, due at `now`, keeping its id (a manual re-send). */
  requeue(id: string, now: string): Promise<boolean>;
}

export interface FileRepository {
  create(file: StoredFile): Promise<StoredFile>;
  get(id: string): Promise<StoredFile | null>;
  /** The account's uploads, newest first. */
  list(accountId: string, page: PageRequest): Promise<Slice<StoredFile>>;
  delete(id: string): Promise<boolean>;
  /** Files whose expiresAt passed, oldest first. */
  findExpired(now: string, limit: number): Promise<StoredFile[]>;
  /** Output files of these predictions. */
  findByPredictions(predictionIds: string[]): Promise<StoredFile[]>;
}

export interface SettingsRepository {
  /** The value of a server-wide setting, created with `create()` when missing; every caller sees the same value. */
  getOrCreate(key: string, create: () => string): Promise<string>;
}

/** Where file bytes live: a local folder by default, S3-compatible object storage when configured. */
export interface BlobStore {
  /** Stores the bytes under `key` (overwriting) and returns how many there were. */
  put(key: string, body: Uint8Array | AsyncIterable<Uint8Array>, contentType: string): Promise<{ size: number }>;
  get(key: string): Promise<{ body: AsyncIterable<Uint8Array>; size: number; contentType: string } | null>;
  /** Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
}

export interface Store {
  accounts: AccountRepository;
  models: ModelRepository;
  versions: VersionRepository;
  predictions: PredictionRepository;
  webhooks: WebhookRepository;
  files: FileRepository;
  settings: SettingsRepository;
  collections: CollectionRepository;
  examples: ExampleRepository;
  deployments: DeploymentRepository;
  /** Which engine it is, for logs and tests. */
  readonly dialect: "sqlite" | "postgres";
  close(): Promise<void>;
}

/** What a runner sees of a claimed prediction. */
export interface Assignment {
  predictionId: string;
  versionId: string;
  input: Record<string, unknown>;
  deadline: string | null;
}

/** What a runner asks of a version before it can start an instance of it. */
export interface VersionRuntime {
  versionId: string;
  model: string;
  runtime: RuntimeSpec;
  /** Whether the Output schema is an iterator (each yield is reported as one output chunk). */
  outputIsIterator: boolean;
  /**
   * Inputs whose values are files (format "uri", or arrays of them; fileInputNames): the runner fetches their
   * http(s) URLs before dispatch and hands the instance its own copies. Absent when the version has none.
   */
  fileInputs?: string[];
}

/**
 * The control plane a runner talks to: in-process in embedded mode, over HTTP with a runner token at scale.
 * Every method is safe to call again after a crash: claims are leases, reports are compare-and-set.
 */
export interface ControlPlane {
  /** Versions that have queued work, with their runtimes and how much is waiting. */
  pendingWork(): Promise<{ version: VersionRuntime; queued: number }[]>;
  claim(runnerId: string, versionId: string): Promise<Assignment | null>;
  /** Reports one event of a prediction this runner holds. `applied: false` means the prediction is already terminal. */
  report(runnerId: string, predictionId: string, event: PredictionEvent): Promise<{ applied: boolean; status: Status }>;
  /**
   * Returns a claimed, not yet started prediction to the queue (e.g. the instance went away before dispatch).
   * With a `reason` it was a platform failure: the prediction is retried (a `retrying` timeline entry, attempt + 1)
   * up to the retry limit, then fails with that reason.
   */
  release(runnerId: string, predictionId: string, reason?: string): Promise<void>;
  /** Registers (or re-registers) a runner with its hardware and capacity. */
  registerRunner(registration: RunnerRegistration): Promise<void>;
  /**
   * Reports the runner's instances (also its liveness: a runner silent for the runner-lost window loses its
   * leases) and returns the instances it should hold.
   */
  heartbeat(runnerId: string, instances: InstanceReport[]): Promise<HeartbeatReply>;
  /** What a runner needs to start an instance of a version; null when the version is unknown. */
  runtime(versionId: string): Promise<VersionRuntime | null>;
  /** Instance lifecycle: cold boots are counted, repeated setup failures mark the version unhealthy. */
  instanceEvent(runnerId: string, event: InstanceEvent): Promise<void>;
  renewLeases(runnerId: string, predictionIds: string[]): Promise<void>;
  /**
   * Stores one output file of a prediction this runner holds (kind "output", in the blob store) and returns the
   * absolute capability URL that replaces the file in the prediction's output (readable without a token).
   */
  uploadOutput(
    runnerId: string,
    predictionId: string,
    file: { name: string; contentType: string; body: AsyncIterable<Uint8Array> },
  ): Promise<{ url: string }>;
  /** Subscribes to wake-ups: new work was queued, or a prediction this runner may hold must stop. */
  subscribe(listener: (signal: RunnerSignal) => void): () => void;
}

export type RunnerSignal =
  | { type: "work_queued"; versionId: string }
  | { type: "cancel"; predictionId: string }
  /** The scheduler changed what some runner should hold: heartbeat now rather than at the next tick. */
  | { type: "plan_changed" };
