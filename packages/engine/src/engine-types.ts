// The engine's public surface: what apps/server (HTTP) and the composition root call. One use case per method.
import type {
  Account,
  Clock,
  ControlPlane,
  Logger,
  Model,
  Prediction,
  PredictionEffect,
  RuntimeSpec,
  Slice,
  Store,
  Version,
  WebhookEvent,
} from "@ferry/core";

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
}

export interface EngineDeps {
  store: Store;
  clock?: Clock;
  log?: Logger;
  options?: EngineOptions;
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
  | { kind: "model"; owner: string; name: string };

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
  };

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

  /** Recovery (when configured) and the background loops: deadlines, expired leases. */
  start(): Promise<void>;
  /** Stops the loops. Does not close the store. */
  stop(): Promise<void>;
}

export type { Clock };
