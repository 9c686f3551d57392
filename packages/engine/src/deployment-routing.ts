// Where a prediction made through a deployment goes: its current release's version, unless the deployment's
// queue is full or that version is unhealthy; then its fallback (another deployment or a version) when the
// input fits the fallback's schema, else 429 with Retry-After for a full queue. A release switch needs nothing
// here: running predictions keep the version they were created with, new ones take the new release's.
import { FerryError, deploymentRef, isFerryError } from "@ferry/core";
import type { Account, Deployment, Model, Store, Version } from "@ferry/core";
import type { Catalog } from "./catalog.js";
import { canView } from "./catalog.js";
import { fallbackKind } from "./deployment-validation.js";
import type { InputValidator } from "./input-validator.js";

/** Whether a version is failing its setup over and over (the scheduler's crash-loop detection fills it in). */
export interface VersionHealth {
  isUnhealthy(versionId: string): boolean;
}

export const ALWAYS_HEALTHY: VersionHealth = { isUnhealthy: () => false };

export interface QueueSettings {
  /** Queued predictions a deployment takes before 429, unless it sets max_queue. */
  maxQueuePerDeployment: number;
  /** The Retry-After a 429 for a full queue carries. */
  retryAfterSeconds: number;
}

export interface DeploymentTarget {
  model: Model;
  version: Version;
  /** The deployment whose queue it joins ("owner/name"); null when a version fallback serves it. */
  deployment: string | null;
  /** The deployment it was sent to, when a fallback serves it. */
  fallbackFrom: string | null;
}

export interface DeploymentRouter {
  /** not_found for unknown deployments and others'; queue_full (429) when full and no fallback can take it. */
  route(account: Account, owner: string, name: string, input: unknown): Promise<DeploymentTarget>;
}

export function createDeploymentRouter(deps: {
  store: Store;
  catalog: Catalog;
  validator: InputValidator;
  health: () => VersionHealth;
  settings: QueueSettings;
}): DeploymentRouter {
  const { store, catalog, validator, settings } = deps;

  async function releaseTarget(deployment: Deployment): Promise<{ model: Model; version: Version }> {
    const release = deployment.currentRelease;
    const version = await catalog.version(release.versionId);
    const model = await catalog.modelById(release.modelId);
    // Versions are never deleted; a missing one means the database was edited by hand.
    if (version === null || model === null) throw new FerryError("invalid_version", `The version of ${deploymentRef(deployment)} no longer exists`);
    return { model, version };
  }

  async function isFull(deployment: Deployment): Promise<boolean> {
    const cap = deployment.currentRelease.configuration.maxQueue ?? settings.maxQueuePerDeployment;
    return (await store.deployments.countQueued(deploymentRef(deployment), cap)) >= cap;
  }

  function fits(version: Version, input: unknown): boolean {
    try {
      validator.validate(version, input);
      return true;
    } catch (error) {
      if (isFerryError(error)) return false;
      throw error;
    }
  }

  /** The fallback's target when it can take this input now; one hop only, so fallbacks never loop. */
  async function fallbackTarget(account: Account, fallback: string, from: string, input: unknown): Promise<DeploymentTarget | null> {
    if (fallbackKind(fallback) === "version") {
      const version = await catalog.version(fallback);
      const model = version === null ? null : await catalog.modelById(version.modelId);
      if (version === null || model === null || !canView(account, model)) return null;
      if (deps.health().isUnhealthy(version.id) || !fits(version, input)) return null;
      return { model, version, deployment: null, fallbackFrom: from };
    }
    const [owner = "", name = ""] = fallback.split("/");
    const other = await store.deployments.get(owner, name);
    if (other === null || other.accountId !== account.id) return null;
    const target = await releaseTarget(other);
    if (deps.health().isUnhealthy(target.version.id) || !fits(target.version, input) || (await isFull(other))) return null;
    return { ...target, deployment: deploymentRef(other), fallbackFrom: from };
  }

  return {
    async route(account, owner, name, input) {
      const deployment = await store.deployments.get(owner, name);
      if (deployment === null || deployment.accountId !== account.id) throw new FerryError("not_found", "Deployment not found");
      const ref = deploymentRef(deployment);
      const primary = await releaseTarget(deployment);
      const unhealthy = deps.health().isUnhealthy(primary.version.id);
      const full = !unhealthy && (await isFull(deployment));
      if (!unhealthy && !full) return { ...primary, deployment: ref, fallbackFrom: null };
      const fallback = deployment.currentRelease.configuration.fallback;
      const other = fallback === null ? null : await fallbackTarget(account, fallback, ref, input);
      if (other !== null) return other;
      if (full) {
        throw new FerryError("queue_full", `Request was throttled: the queue of ${ref} is full. Expected available in ${settings.retryAfterSeconds} seconds.`, {
          retry_after: settings.retryAfterSeconds,
        });
      }
      // Unhealthy and nothing to fall back to: queue it anyway; the scheduler fails it fast with the reason.
      return { ...primary, deployment: ref, fallbackFrom: null };
    },
  };
}
