// Deployments (spec §2.7, §3.5): a name that pins a model version behind chosen hardware and min/max instances.
// Every change is a new release with the next number; predictions made through one carry its "owner/name".
import type { PageRequest, Slice } from "./ports.js";
import type { AccountJSON } from "./wire.js";

/** Replicate's limits (spec §2.7): min_instances 0–5, max_instances up to 20. */
export const DEPLOYMENT_LIMITS = { minInstances: 5, maxInstances: 20 } as const;

/** What a release runs and how it scales. The last three fields are Ferry's extensions. */
export interface DeploymentConfiguration {
  hardware: string;
  minInstances: number;
  maxInstances: number;
  /** Queued predictions allowed before new ones get 429; null = the server default. */
  maxQueue: number | null;
  /** Another deployment ("owner/name") or a version id that takes new work while this one is full or unhealthy. */
  fallback: string | null;
  /** Whether a prediction whose instance crashed while running it is retried (off: the input may be the cause). */
  retryCrashed: boolean;
}

/** One release: numbered from 1, never changed once made. */
export interface DeploymentRelease {
  number: number;
  modelId: string;
  /** "owner/name" of the model. */
  model: string;
  versionId: string;
  configuration: DeploymentConfiguration;
  createdAt: string;
  /** The account that made the release. */
  createdByAccountId: string;
}

export interface Deployment {
  id: string;
  accountId: string;
  /** The owning account's username. */
  owner: string;
  name: string;
  createdAt: string;
  currentRelease: DeploymentRelease;
}

/** "owner/name": how predictions, fallbacks and scaling policies name a deployment. */
export function deploymentRef(deployment: Pick<Deployment, "owner" | "name">): string {
  return `${deployment.owner}/${deployment.name}`;
}

/** Deployment names follow model names: lowercase letters, digits, '-', '_' and '.'. */
export const DEPLOYMENT_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,99}$/;

export interface DeploymentConfigurationJSON {
  hardware: string;
  min_instances: number;
  max_instances: number;
  max_queue: number | null;
  fallback: string | null;
  retry_crashed: boolean;
}

/** The wire shape (spec §3.5); configuration carries Ferry's extra keys, which clients ignore. */
export interface DeploymentJSON {
  owner: string;
  name: string;
  current_release: {
    number: number;
    model: string;
    version: string;
    created_at: string;
    created_by: AccountJSON;
    configuration: DeploymentConfigurationJSON;
  };
}

/** A deployment's current release, named: what scaling policies are built from. */
export interface CurrentRelease {
  /** "owner/name". */
  deployment: string;
  release: DeploymentRelease;
}

/**
 * Deployments and their releases. A release is added with a compare-and-set on the current number, so two
 * concurrent updates never both become release N + 1.
 */
export interface DeploymentRepository {
  /** Stores a deployment and its first release; null when the owner already has one of that name. */
  create(deployment: Deployment): Promise<Deployment | null>;
  get(owner: string, name: string): Promise<Deployment | null>;
  /** The account's deployments, newest first. */
  list(accountId: string, page: PageRequest): Promise<Slice<Deployment>>;
  /**
   * Makes `release` (numbered expectedNumber + 1) the current one, only while the current number is still
   * `expectedNumber`. Returns the updated deployment, or null when another update won (or it is gone).
   */
  addRelease(deploymentId: string, expectedNumber: number, release: DeploymentRelease): Promise<Deployment | null>;
  /** Every release, oldest first. */
  listReleases(deploymentId: string): Promise<DeploymentRelease[]>;
  /** Deletes the deployment and its releases; predictions keep their `deployment` text. */
  delete(deploymentId: string): Promise<boolean>;
  /** Queued ("starting") predictions made through the deployment, counted up to `cap` (cheap when the queue is long). */
  countQueued(deployment: string, cap: number): Promise<number>;
  /** How many of its predictions are not yet terminal, and when one was last created or completed. */
  usage(deployment: string): Promise<{ open: number; lastActivityAt: string | null }>;
  /** Every deployment's current release. */
  currentReleases(): Promise<CurrentRelease[]>;
}
