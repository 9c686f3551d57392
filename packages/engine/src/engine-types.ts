// The engine's public surface: what apps/server (HTTP) and the composition root call. One use case per method.
import type {
  Account,
  ApiTokenRecord,
  BlobStore,
  Clock,
  Collection,
  ControlPlane,
  InstanceReport,
  Logger,
  Model,
  ModelCatalogEntry,
  Prediction,
  PredictionEffect,
  RuntimeSpec,
  Slice,
  Store,
  Version,
  WebhookAttempt,
  WebhookEvent,
  WebhookMessage,
} from "@ferry/core";
import type { VersionHealth } from "./deployment-routing.js";
import type { DeploymentUseCases } from "./deployments.js";
import type { SchedulerSnapshot } from "./scheduler/scheduler.js";
import type { CrashLoopPolicy, Unhealthy } from "./scheduler/version-health.js";
import type { StreamHub, StreamHubOptions } from "./stream-hub.js";
import type { WebhookOptions } from "./webhooks/create-webhooks.js";

export interface EngineOptions {
  /** How long a runner's claim lasts without renewal. Default 30 000 ms. */
  leaseMs?: number;
  /** How often deadlines (Cancel-After) are checked. Default 250 ms. */
  deadlineSweepMs?: number;
  /** How often expired leases are looked for. Default 5 000 ms. */
  leaseSweepMs?: number;
  /**
   * Embedded mode: this process runs the only runner, so at start every lease held by an earlier process is
   * orphaned: unstarted work is re-queued, running work fails with a clear error. Default false.
   */
  recoverOrphansOnStart?: boolean;
  /**
   * Seconds an ended API prediction keeps its input, output, logs and output files when its account sets no
   * retention of its own; -1 keeps them forever. Default 3 600 (FERRY_DATA_RETENTION).
   */
  dataRetentionSeconds?: number;
  /** How often the retention sweeper looks for expired data. Default 60 000 ms. */
  retentionSweepMs?: number;
  /** Predictions the retention sweeper empties per batch. Default 500. */
  retentionBatchSize?: number;
  /** Bounds of the SSE replay buffers and how often a streamed prediction is re-read. */
  streams?: StreamHubOptions;
  /** Webhook delivery: concurrency, polling, claim window, attempt timeout, throttle (defaults in webhooks/). */
  webhooks?: WebhookOptions;
  /** Instances kept warm for the latest version of each official model. Default 0 (FERRY_OFFICIAL_MIN_INSTANCES). */
  officialMinInstances?: number;
  /** Most instances of a version used without a deployment. Default 4 (FERRY_MAX_INSTANCES). */
  onDemandMaxInstances?: number;
  /** How long an idle instance is kept before its version scales down. Default 300 000 (FERRY_INSTANCE_IDLE_TIMEOUT). */
  instanceIdleMs?: number;
  /** A runner without a heartbeat for this long is lost (its leases are recovered). Default 15 000. */
  runnerLostMs?: number;
  /** How often the scheduler looks for lost runners and refreshes its plan. Default 1 000. */
  schedulerSweepMs?: number;
  /** Crash-loop detection: setup failures within a window that make a version unhealthy, and its cool-down. */
  crashLoop?: CrashLoopPolicy;
  /** Hardware SKUs deployments may choose (apps/server's hardware catalog). Default ["cpu"]. */
  hardware?: readonly string[];
  /** Queued predictions a deployment takes before answering 429, unless it sets max_queue. Default 100. */
  maxQueuePerDeployment?: number;
  /** Retry-After (seconds) of a 429 for a full deployment queue. Default 5. */
  queueRetryAfterSeconds?: number;
  /** How long a deployment must be offline and unused before DELETE succeeds. Default 15 minutes (spec §2.7). */
  deploymentDeleteIdleMs?: number;
}

export interface EngineDeps {
  store: Store;
  /** The blob store uploads and output files live in. */
  blobs?: BlobStore;
  /** Absolute base of every URL the engine hands out (output files, webhook bodies); FERRY_PUBLIC_URL. */
  publicUrl?: string;
  /**
   * Renders a prediction exactly as GET /v1/predictions/{id} returns it: the body of its webhooks. `signingKey`
   * is engine.signingKey(), which the capability URLs in it (urls.stream) are signed with.
   */
  renderPrediction?: (prediction: Prediction, signingKey: string) => unknown;
  clock?: Clock;
  log?: Logger;
  options?: EngineOptions;
  /** Which versions are crash-looping: deployment predictions then go to their fallback. Default: all healthy. */
  versionHealth?: VersionHealth;
}

/** One webhook message and its attempts: an entry of a prediction's delivery log. */
export interface WebhookDelivery {
  message: WebhookMessage;
  attempts: WebhookAttempt[];
}

/** One state change of a prediction as the bus carries it. */
export interface PredictionUpdate {
  prediction: Prediction;
  effects: PredictionEffect[];
}

/** In-process publish/subscribe of prediction updates (PostgreSQL LISTEN/NOTIFY joins it at scale). */
export interface PredictionBus {
  publish(update: PredictionUpdate): void;
  /** Listens to one prediction. Returns the unsubscribe function. */
  subscribe(predictionId: string, listener: (update: PredictionUpdate) => void): () => void;
  /** Listens to every prediction (webhook sender, metrics). */
  subscribeAll(listener: (update: PredictionUpdate) => void): () => void;
}

/** Which model version a create request targets. */
export type PredictionTarget =
  /** POST /v1/predictions: `version` is a 64-hex id, "owner/name:id", or "owner/name" (latest version). */
  | { kind: "version"; ref: string }
  /** POST /v1/models/{owner}/{name}/predictions: the model's latest version. */
  | { kind: "model"; owner: string; name: string }
  /** POST /v1/deployments/{owner}/{name}/predictions: the current release's version, or the deployment's fallback. */
  | { kind: "deployment"; owner: string; name: string };

export interface CreatePredictionRequest {
  target: PredictionTarget;
  /** Whatever the client sent as `input`; validated against the version's Input schema. */
  input: unknown;
  webhook?: string | null;
  webhookEventsFilter?: WebhookEvent[] | null;
  source?: "api" | "web";
  /** From the Cancel-After header, already parsed; sets the prediction's deadline. */
  cancelAfterMs?: number | null;
}

export interface ListPredictionsRequest {
  cursor: string | null;
  limit?: number;
  createdAfter?: string;
  createdBefore?: string;
  source?: "api" | "web";
}

export interface ModelListRequest {
  cursor: string | null;
  limit?: number;
  sortBy?: "model_created_at" | "latest_version_created_at";
  sortDirection?: "asc" | "desc";
}

/** A model folder to register at start (built-in models) or from a push. */
export interface RegisterModelRequest {
  owner: string;
  /** The owner's display name when the owner account must be created (an organization). */
  ownerDisplayName?: string;
  name: string;
  description: string | null;
  visibility: "public" | "private";
  isOfficial: boolean;
  hardware: string;
  githubUrl?: string | null;
  paperUrl?: string | null;
  licenseUrl?: string | null;
  coverImageUrl?: string | null;
  readme?: string | null;
  version: {
    /** sha256 hex of the version's content. */
    id: string;
    openapiSchema: Record<string, unknown>;
    runtime: RuntimeSpec;
    cogVersion: string | null;
  };
}

/** The model catalog's use cases (model-catalog.ts). */
export interface ModelCatalogApi {
  /** Sets a model's tags, pricing, memory bound and availability. Throws not_found for an unknown model. */
  describe(owner: string, name: string, entry: ModelCatalogEntry): Promise<Model>;
  /**
   * Registers (or updates) a model that cannot run here, e.g. its code failed to load: it is listed, with
   * `reason` as its unavailable_reason, and no new version. Predictions for it answer 503 model_unavailable.
   */
  registerUnavailable(request: Omit<RegisterModelRequest, "version">, reason: string): Promise<Model>;
  /** Creates or updates a collection and makes `models` ("owner/name", unknown ones skipped) its models, in order. */
  putCollection(collection: Collection, models: string[]): Promise<void>;
  collections(request: { cursor: string | null; limit?: number }): Promise<Slice<Collection>>;
  /** A collection with the models the viewer may see; throws not_found for an unknown slug. */
  collection(viewer: Account | null, slug: string): Promise<{ collection: Collection; models: Model[] }>;
  /** Collections matching `text`, each with its visible models as "owner/name". */
  searchCollections(viewer: Account | null, text: string, limit: number): Promise<{ collection: Collection; models: string[] }[]>;
  /** The model's saved examples (predictions); not_found when the model is not visible. */
  examples(viewer: Account | null, owner: string, name: string, request: { cursor: string | null; limit?: number }): Promise<Slice<Prediction>>;
  /** The model's default example prediction, or null. */
  defaultExample(model: Model): Promise<Prediction | null>;
  /** True when the model has no succeeded default example of `versionId` (none yet, or one of another version). */
  needsDefaultExample(owner: string, name: string, versionId: string): Promise<boolean>;
  /**
   * Runs an example as the model's owner (a normal prediction, source "web"), waits up to `timeoutMs` for it to
   * end, and saves it when it succeeded; position 0 also becomes the model's default_example. Resolves with the
   * prediction as it is then; throws FerryError as predictions.create does (e.g. model_unavailable).
   */
  runExample(request: {
    owner: string;
    name: string;
    versionId: string;
    exampleName: string;
    position: number;
    input: Record<string, unknown>;
    timeoutMs: number;
    /** Cuts the wait short (shutdown); the prediction is then left unsaved. */
    signal?: AbortSignal;
  }): Promise<Prediction>;
}

export interface Engine {
  bus: PredictionBus;
  /** What runners talk to (in-process in embedded mode). */
  controlPlane: ControlPlane;

  accounts: {
    /**
     * When no account exists, creates the first one (a user) with `token`, or with a generated token that is
     * returned once so it can be printed. Returns token null when accounts already existed.
     */
    bootstrap(input: { username: string; token?: string | null }): Promise<{ account: Account; token: string | null }>;
    /** The account a token belongs to, or null. Cached briefly; tokens are looked up by hash. */
    authenticate(token: string): Promise<Account | null>;
    /** The account's API tokens, without their values (only hashes are kept). */
    listTokens(account: Account): Promise<ApiTokenRecord[]>;
    /** Issues a new token; its value is returned this once and never again. */
    createToken(account: Account, name: string): Promise<{ token: ApiTokenRecord; value: string }>;
    /** Revokes one of the account's tokens at once (cached lookups included). Throws not_found for others. */
    revokeToken(account: Account, tokenId: string): Promise<void>;
  };

  catalog: ModelCatalogApi;

  models: {
    register(request: RegisterModelRequest): Promise<{ model: Model; version: Version }>;
    /** Throws FerryError not_found for unknown models and others' private ones. */
    get(viewer: Account | null, owner: string, name: string): Promise<Model>;
    list(viewer: Account | null, request: ModelListRequest): Promise<Slice<Model>>;
    search(viewer: Account | null, text: string, request: { cursor: string | null; limit?: number }): Promise<Slice<Model>>;
    listVersions(viewer: Account | null, owner: string, name: string, request: { cursor: string | null; limit?: number }): Promise<Slice<Version>>;
    /** Throws not_found when the model or the version (of that model) does not exist or is not visible. */
    getVersion(viewer: Account | null, owner: string, name: string, versionId: string): Promise<Version>;
    /** The latest version of a model by id, for serializing a Model (null when it has none). */
    latestVersion(model: Model): Promise<Version | null>;
  };

  predictions: {
    /**
     * Validates and queues a prediction. Throws FerryError: invalid_version (422) for an unknown or
     * forbidden version, not_found (404) for an unknown model on the model route, input_validation_failed
     * (422, with invalid_fields) for bad input, serialized_client_input (422) for a serialized client.
     */
    create(account: Account, request: CreatePredictionRequest): Promise<Prediction>;
    /** Throws not_found for unknown ids and others' predictions. */
    get(account: Account, id: string): Promise<Prediction>;
    list(account: Account, request: ListPredictionsRequest): Promise<Slice<Prediction>>;
    /** Cancels a non-terminal prediction; a terminal one is returned unchanged. */
    cancel(account: Account, id: string): Promise<Prediction>;
    /**
     * Resolves with the prediction as soon as it is terminal, or with its latest state when `timeoutMs`
     * runs out (or `signal` aborts). Never rejects for a timeout.
     */
    waitForTerminal(id: string, timeoutMs: number, signal?: AbortSignal): Promise<Prediction>;
  };

  /** The server-wide key capability URLs (streams, signed downloads, output files) are signed with. */
  signingKey(): Promise<string>;

  /** SSE: a replay of a prediction's events from the start (or after Last-Event-ID), then live ones. */
  streams: StreamHub;

  webhooks: {
    /** The account's signing secret (`whsec_…`), made on first use: GET /v1/webhooks/default/secret. */
    secret(account: Account): Promise<string>;
    /** Every webhook message of one of the account's predictions with its attempts, oldest first; not_found otherwise. */
    deliveries(account: Account, predictionId: string): Promise<WebhookDelivery[]>;
    /**
     * Sends a message again (same webhook-id, due now): one more attempt, and for the completed message the rest
     * of its retry schedule if any is left. not_found for unknown messages and others' predictions.
     */
    resend(account: Account, predictionId: string, messageId: string): Promise<WebhookDelivery>;
    /** Delivers every message due now and waits for those attempts (the sender loop does this on its own). */
    deliverDue(): Promise<number>;
  };

  retention: {
    /** The account's own setting (seconds, -1 = forever, null = the server default) and the one in effect. */
    get(account: Account): Promise<{ seconds: number | null; effectiveSeconds: number }>;
    /**
     * Sets it for predictions that end from now on (a whole number of seconds ≥ 0, -1 = forever, null = the
     * server default). Throws FerryError validation_failed for anything else.
     */
    set(account: Account, seconds: number | null): Promise<void>;
    /** One sweep now (the loop runs one every retentionSweepMs); resolves with how many predictions it emptied. */
    sweep(): Promise<number>;
  };

  /** Deployments (spec §2.7) and the scaling policies their current releases ask for. */
  deployments: DeploymentUseCases;

  /** The autoscaler's view: runners, instances, queue depth, cold boots, unhealthy versions (GET /metrics). */
  scheduler: {
    snapshot(): Promise<SchedulerSnapshot>;
    /** The instances of a version the runners last reported, with the runner holding each. */
    instancesOf(versionId: string): (InstanceReport & { runnerId: string })[];
    /** Seconds from created to completed of a deployment's latest ended predictions (this node's, newest last). */
    recentLatencies(deployment: string): number[];
    /** The version's crash-loop state, or null when healthy. */
    unhealthy(versionId: string): Unhealthy | null;
    /** One lost-runner sweep now (a timer runs one every schedulerSweepMs); resolves with how many were lost. */
    sweepLostRunners(): Promise<number>;
  };

  /** Recovery (when configured) and the background loops: deadlines, expired leases. */
  start(): Promise<void>;
  /** Stops the loops. Does not close the store. */
  stop(): Promise<void>;
}

export type { Clock };
