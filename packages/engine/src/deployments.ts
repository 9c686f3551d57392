// Deployment use cases (spec §2.7): create, get, list, update (each update is a new release), delete, and the
// scaling policies the autoscaler reads. Predictions made through a deployment are routed by deployment-routing.ts.
import { FerryError, deploymentRef, isVersionId, newId } from "@ferry/core";
import type { Account, Clock, Deployment, DeploymentConfiguration, DeploymentRelease, Model, ScalingPolicy, Slice, Store, Version } from "@ferry/core";
import type { Catalog } from "./catalog.js";
import { canView, modelRef } from "./catalog.js";
import { Problems, checkHardware, checkInstances, checkMaxQueue, checkName, fallbackKind } from "./deployment-validation.js";

const DEFAULT_PAGE_SIZE = 100;

export interface DeploymentSettings {
  /** The hardware SKUs a deployment may choose (apps/server's hardware catalog). */
  hardware: readonly string[];
  /** A deployment must have been offline (min_instances 0) and unused this long before it can be deleted. */
  deleteIdleMs: number;
}

/** A deployment as the API shows it: with the account that made its current release. */
export interface DeploymentView {
  deployment: Deployment;
  createdBy: Account;
}

export interface CreateDeploymentRequest {
  name: string;
  /** "owner/name". */
  model: string;
  version: string;
  hardware: string;
  minInstances: number;
  maxInstances: number;
  maxQueue?: number | null;
  fallback?: string | null;
  retryCrashed?: boolean;
}

/** Any non-empty subset; `model` (a Ferry extension) moves the deployment to another model and needs `version`. */
export type UpdateDeploymentRequest = Partial<Omit<CreateDeploymentRequest, "name">>;

export interface DeploymentUseCases {
  create(account: Account, request: CreateDeploymentRequest): Promise<DeploymentView>;
  /** not_found for unknown deployments and other accounts' ones. */
  get(account: Account, owner: string, name: string): Promise<DeploymentView>;
  list(account: Account, request: { cursor: string | null; limit?: number }): Promise<Slice<DeploymentView>>;
  update(account: Account, owner: string, name: string, changes: UpdateDeploymentRequest): Promise<DeploymentView>;
  /** Only once it is offline (min_instances 0), has no open predictions and was unused for deleteIdleMs (spec §2.7). */
  delete(account: Account, owner: string, name: string): Promise<void>;
  /** One policy per version some deployment's current release runs: min and max summed over those deployments. */
  scalingPolicies(): Promise<ScalingPolicy[]>;
  /** The retry policy of the deployment a prediction was made through (false for unknown or deleted ones). */
  retryCrashed(deployment: string): Promise<boolean>;
  /** Every release, newest first, each with who made it, and how many predictions wait in its queue now. */
  history(account: Account, owner: string, name: string): Promise<DeploymentHistory>;
}

export interface DeploymentHistory {
  releases: { release: DeploymentRelease; createdBy: Account }[];
  /** Queued (not yet started) predictions of the deployment, counted up to 10 000. */
  queueDepth: number;
}

/** The queue depth a deployment page shows is counted up to this many. */
const QUEUE_DEPTH_CAP = 10_000;

export function createDeployments(deps: { store: Store; clock: Clock; catalog: Catalog; settings: DeploymentSettings }): DeploymentUseCases {
  const { store, clock, catalog, settings } = deps;

  async function own(account: Account, owner: string, name: string): Promise<Deployment> {
    const deployment = await store.deployments.get(owner, name);
    if (deployment === null || deployment.accountId !== account.id) throw new FerryError("not_found", "Deployment not found");
    return deployment;
  }

  async function view(deployment: Deployment, viewer: Account): Promise<DeploymentView> {
    const byId = deployment.currentRelease.createdByAccountId;
    const createdBy = byId === viewer.id ? viewer : ((await store.accounts.findById(byId)) ?? viewer);
    return { deployment, createdBy };
  }

  /** The model a release runs, and its version: both must exist, be visible, and belong together. */
  async function modelAndVersion(problems: Problems, account: Account, ref: string, versionId: string): Promise<{ model: Model; version: Version } | null> {
    const [owner = "", name = "", ...rest] = ref.split("/");
    const model = rest.length === 0 ? await catalog.modelByName(owner, name) : null;
    if (model === null || !canView(account, model)) {
      problems.add("model", `${ref} is not a model you can deploy`);
      return null;
    }
    const version = isVersionId(versionId) ? await catalog.version(versionId) : null;
    if (version === null || version.modelId !== model.id) {
      problems.add("version", `${versionId} is not a version of ${modelRef(model)}`);
      return null;
    }
    return { model, version };
  }

  async function checkFallback(problems: Problems, account: Account, fallback: string | null, self: string): Promise<void> {
    if (fallback === null) return;
    const kind = fallbackKind(fallback);
    if (kind === "version") {
      const version = await catalog.version(fallback);
      const model = version === null ? null : await catalog.modelById(version.modelId);
      if (model === null || !canView(account, model)) problems.add("fallback", `${fallback} is not a version you can run`);
      return;
    }
    if (kind === "deployment" && fallback !== self) {
      const [owner = "", name = ""] = fallback.split("/");
      const other = await store.deployments.get(owner, name);
      if (other !== null && other.accountId === account.id) return;
    }
    problems.add("fallback", `${fallback} must be another of your deployments ("owner/name") or a version id`);
  }

  function checkConfiguration(problems: Problems, c: DeploymentConfiguration): void {
    checkHardware(problems, c.hardware, settings.hardware);
    checkInstances(problems, c.minInstances, c.maxInstances);
    checkMaxQueue(problems, c.maxQueue);
  }

  async function create(account: Account, request: CreateDeploymentRequest): Promise<DeploymentView> {
    const problems = new Problems();
    checkName(problems, request.name);
    const configuration: DeploymentConfiguration = {
      hardware: request.hardware,
      minInstances: request.minInstances,
      maxInstances: request.maxInstances,
      maxQueue: request.maxQueue ?? null,
      fallback: request.fallback ?? null,
      retryCrashed: request.retryCrashed ?? false,
    };
    checkConfiguration(problems, configuration);
    const target = await modelAndVersion(problems, account, request.model, request.version);
    await checkFallback(problems, account, configuration.fallback, `${account.username}/${request.name}`);
    problems.throwIfAny();
    if (target === null) throw new Error("unreachable: a missing model or version is a problem");
    const now = clock.now().toISOString();
    const deployment: Deployment = {
      id: newId(),
      accountId: account.id,
      owner: account.username,
      name: request.name,
      createdAt: now,
      currentRelease: {
        number: 1,
        modelId: target.model.id,
        model: modelRef(target.model),
        versionId: target.version.id,
        configuration,
        createdAt: now,
        createdByAccountId: account.id,
      },
    };
    const created = await store.deployments.create(deployment);
    if (created === null) throw new FerryError("conflict", `A deployment named ${deploymentRef(deployment)} already exists`);
    return view(created, account);
  }

  async function update(account: Account, owner: string, name: string, changes: UpdateDeploymentRequest): Promise<DeploymentView> {
    const current = await own(account, owner, name);
    const problems = new Problems();
    const fields = Object.entries(changes).filter(([, v]) => v !== undefined);
    if (fields.length === 0) {
      problems.add("body", "give at least one of version, hardware, min_instances, max_instances, max_queue, fallback, retry_crashed");
    }
    if (changes.model !== undefined && changes.version === undefined) problems.add("version", "is required when model changes");
    const was = current.currentRelease;
    const configuration: DeploymentConfiguration = {
      hardware: changes.hardware ?? was.configuration.hardware,
      minInstances: changes.minInstances ?? was.configuration.minInstances,
      maxInstances: changes.maxInstances ?? was.configuration.maxInstances,
      maxQueue: changes.maxQueue !== undefined ? changes.maxQueue : was.configuration.maxQueue,
      fallback: changes.fallback !== undefined ? changes.fallback : was.configuration.fallback,
      retryCrashed: changes.retryCrashed ?? was.configuration.retryCrashed,
    };
    checkConfiguration(problems, configuration);
    if (changes.fallback !== undefined) await checkFallback(problems, account, configuration.fallback, deploymentRef(current));
    const target =
      changes.version !== undefined ? await modelAndVersion(problems, account, changes.model ?? was.model, changes.version) : null;
    problems.throwIfAny();
    const release: DeploymentRelease = {
      number: was.number + 1,
      modelId: target?.model.id ?? was.modelId,
      model: target !== null ? modelRef(target.model) : was.model,
      versionId: target?.version.id ?? was.versionId,
      configuration,
      createdAt: clock.now().toISOString(),
      createdByAccountId: account.id,
    };
    const updated = await store.deployments.addRelease(current.id, was.number, release);
    if (updated === null) throw new FerryError("conflict", "The deployment changed while this update was made; try again");
    return view(updated, account);
  }

  async function remove(account: Account, owner: string, name: string): Promise<void> {
    const deployment = await own(account, owner, name);
    const ref = deploymentRef(deployment);
    if (deployment.currentRelease.configuration.minInstances > 0) {
      throw new FerryError("deployment_in_use", `${ref} is online (min_instances > 0): set min_instances to 0 first`);
    }
    const usage = await store.deployments.usage(ref);
    if (usage.open > 0) throw new FerryError("deployment_in_use", `${ref} still has ${usage.open} prediction(s) queued or running`);
    const offlineSince = await wentOfflineAt(deployment);
    const lastUse = [usage.lastActivityAt ?? "", offlineSince].sort().at(-1) ?? offlineSince;
    const idleMs = clock.now().getTime() - Date.parse(lastUse);
    if (idleMs < settings.deleteIdleMs) {
      const waitS = Math.ceil((settings.deleteIdleMs - idleMs) / 1000);
      throw new FerryError("deployment_in_use", `${ref} was online or used too recently; it can be deleted in ${waitS} s`);
    }
    await store.deployments.delete(deployment.id);
  }

  /** When the trailing run of releases with min_instances 0 began (the deployment has been offline since). */
  async function wentOfflineAt(deployment: Deployment): Promise<string> {
    if (settings.deleteIdleMs <= 0) return deployment.createdAt;
    const releases = await store.deployments.listReleases(deployment.id);
    let since = deployment.currentRelease.createdAt;
    for (let i = releases.length - 1; i >= 0; i--) {
      const release = releases[i];
      if (release === undefined || release.configuration.minInstances > 0) break;
      since = release.createdAt;
    }
    return since;
  }

  return {
    create,
    async get(account, owner, name) {
      return view(await own(account, owner, name), account);
    },
    async list(account, request) {
      const slice = await store.deployments.list(account.id, { cursor: request.cursor, limit: request.limit ?? DEFAULT_PAGE_SIZE });
      const items: DeploymentView[] = [];
      for (const deployment of slice.items) items.push(await view(deployment, account));
      return { items, nextCursor: slice.nextCursor };
    },
    update,
    delete: remove,
    async history(account, owner, name) {
      const deployment = await own(account, owner, name);
      const releases = await store.deployments.listReleases(deployment.id);
      const accounts = new Map<string, Account>([[account.id, account]]);
      for (const release of releases) {
        const id = release.createdByAccountId;
        if (!accounts.has(id)) accounts.set(id, (await store.accounts.findById(id)) ?? account);
      }
      return {
        releases: [...releases].sort((a, b) => b.number - a.number).map((release) => ({ release, createdBy: accounts.get(release.createdByAccountId) ?? account })),
        queueDepth: await store.deployments.countQueued(deploymentRef(deployment), QUEUE_DEPTH_CAP),
      };
    },
    async scalingPolicies() {
      return scalingPoliciesOf(await store.deployments.currentReleases());
    },
    async retryCrashed(deployment) {
      const [owner = "", name = ""] = deployment.split("/");
      const found = await store.deployments.get(owner, name);
      return found?.currentRelease.configuration.retryCrashed ?? false;
    },
  };
}

/**
 * Sums min and max per version. A version deployed on several SKUs takes the hardware of its most recent
 * release: one version scales as one pool.
 */
export function scalingPoliciesOf(current: { deployment: string; release: DeploymentRelease }[]): ScalingPolicy[] {
  const byVersion = new Map<string, ScalingPolicy & { newest: string }>();
  for (const { deployment, release } of current) {
    const c = release.configuration;
    const policy = byVersion.get(release.versionId);
    if (policy === undefined) {
      byVersion.set(release.versionId, {
        versionId: release.versionId,
        hardware: c.hardware,
        minInstances: c.minInstances,
        maxInstances: c.maxInstances,
        deployments: [deployment],
        newest: release.createdAt,
      });
      continue;
    }
    policy.minInstances += c.minInstances;
    policy.maxInstances += c.maxInstances;
    policy.deployments.push(deployment);
    if (release.createdAt > policy.newest) {
      policy.hardware = c.hardware;
      policy.newest = release.createdAt;
    }
  }
  return [...byVersion.values()].map(({ newest: _newest, ...policy }) => ({ ...policy, deployments: policy.deployments.sort() }));
}
