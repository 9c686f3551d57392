// Where each version's scaling policy comes from: a deployment's current release (its hardware and min/max), being
// the latest version of an official model (a warm minimum), or the on-demand defaults (0 to the instance cap).
// Explicit policies are read at most once per refresh interval; on-demand ones come from the cached catalog.
import type { Clock, ScalingPolicy, Store } from "@ferry/core";
import type { Catalog } from "../catalog.js";

/** How long explicit policies (deployments, official models) are reused before they are read again. */
const REFRESH_MS = 5_000;
/** Official models scanned at most (one page per 100). */
const MAX_OFFICIAL_PAGES = 20;

export interface PolicyDeps {
  store: Store;
  clock: Clock;
  catalog: Catalog;
  /** Instances kept warm for the latest version of each official model (0: none). */
  officialMinInstances: number;
  /** Most instances of a version used on demand (no deployment). */
  onDemandMaxInstances: number;
  /** Deployments' policies, when the engine has deployments; the store's current releases otherwise. */
  deploymentPolicies?: () => Promise<ScalingPolicy[]>;
}

export interface Policies {
  /** The versions that have a policy of their own (deployments, official models), by version id. */
  explicit(): Promise<Map<string, ScalingPolicy>>;
  /** The policy of any version: its explicit one, or the on-demand default; null for an unknown version. */
  of(versionId: string): Promise<ScalingPolicy | null>;
}

export function createPolicies(deps: PolicyDeps): Policies {
  const { store, clock, catalog } = deps;
  let cached: { at: number; policies: Promise<Map<string, ScalingPolicy>> } | null = null;

  async function fromDeployments(): Promise<ScalingPolicy[]> {
    if (deps.deploymentPolicies !== undefined) return deps.deploymentPolicies();
    // Deployments live in the store when that part is present; a store without them has none.
    const repo = (store as Partial<Store>).deployments;
    if (repo === undefined) return [];
    const releases = await repo.currentReleases();
    return releases.map(({ deployment, release }) => ({
      versionId: release.versionId,
      hardware: release.configuration.hardware,
      minInstances: release.configuration.minInstances,
      maxInstances: release.configuration.maxInstances,
      deployments: [deployment],
    }));
  }

  async function fromOfficialModels(): Promise<ScalingPolicy[]> {
    if (deps.officialMinInstances <= 0) return [];
    const policies: ScalingPolicy[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < MAX_OFFICIAL_PAGES; page += 1) {
      const slice = await store.models.list({ viewerAccountId: null, sortBy: "model_created_at", sortDirection: "asc", cursor, limit: 100 });
      for (const model of slice.items) {
        // An unavailable model (a missing program, code that does not load) is never kept warm: it could not boot.
        if (!model.isOfficial || model.latestVersionId === null || (model.unavailableReason ?? null) !== null) continue;
        const max = Math.max(deps.onDemandMaxInstances, deps.officialMinInstances);
        policies.push({ versionId: model.latestVersionId, hardware: model.hardware, minInstances: deps.officialMinInstances, maxInstances: max, deployments: [] });
      }
      cursor = slice.nextCursor;
      if (cursor === null) break;
    }
    return policies;
  }

  async function load(): Promise<Map<string, ScalingPolicy>> {
    const [deployed, official] = await Promise.all([fromDeployments(), fromOfficialModels()]);
    const byVersion = new Map<string, ScalingPolicy>(official.map((p) => [p.versionId, p]));
    // Deployments of one version add up; a deployment's policy replaces the official default of its version.
    const merged = new Map<string, ScalingPolicy>();
    for (const policy of deployed) {
      const known = merged.get(policy.versionId);
      merged.set(
        policy.versionId,
        known === undefined
          ? { ...policy, deployments: [...policy.deployments] }
          : {
              ...known,
              minInstances: known.minInstances + policy.minInstances,
              maxInstances: known.maxInstances + policy.maxInstances,
              deployments: [...known.deployments, ...policy.deployments],
            },
      );
    }
    for (const [versionId, policy] of merged) {
      const official = byVersion.get(versionId);
      byVersion.set(versionId, official === undefined ? policy : { ...policy, minInstances: Math.max(policy.minInstances, official.minInstances) });
    }
    return byVersion;
  }

  function explicit(): Promise<Map<string, ScalingPolicy>> {
    const now = clock.now().getTime();
    if (cached === null || now - cached.at >= REFRESH_MS) {
      const policies = load();
      cached = { at: now, policies };
      // A failed read is not kept: the next call tries again.
      policies.catch(() => {
        if (cached?.policies === policies) cached = null;
      });
    }
    return cached.policies;
  }

  return {
    explicit,
    async of(versionId) {
      const known = (await explicit()).get(versionId);
      if (known !== undefined) return known;
      const version = await catalog.version(versionId);
      if (version === null) return null;
      const model = await catalog.modelById(version.modelId);
      if (model === null) return null;
      return { versionId, hardware: model.hardware, minInstances: 0, maxInstances: deps.onDemandMaxInstances, deployments: [] };
    },
  };
}
