// Turns a create request's target (a version reference or a model route) into the version and model to run,
// applying visibility: others' private models look like unknown ones.
import { FerryError, isVersionId } from "@ferry/core";
import type { Account, Model, Version } from "@ferry/core";
import type { Catalog } from "./catalog.js";
import { canView } from "./catalog.js";
import type { PredictionTarget } from "./engine-types.js";

export interface ResolvedTarget {
  model: Model;
  version: Version;
}

const MODEL_AND_VERSION = /^([^/]+)\/([^/:]+):(.+)$/;
const MODEL_ONLY = /^([^/]+)\/([^/:]+)$/;

/** Deployment targets are routed by deployment-routing.ts. */
export async function resolveTarget(
  catalog: Catalog,
  account: Account,
  target: Exclude<PredictionTarget, { kind: "deployment" }>,
): Promise<ResolvedTarget> {
  if (target.kind === "model") {
    const model = await visibleModel(catalog, account, target.owner, target.name);
    if (model !== null) assertAvailable(model);
    const version = model === null ? null : await latestOf(catalog, model);
    if (model === null || version === null) throw new FerryError("not_found");
    return { model, version };
  }
  const resolved = await resolveVersionRef(catalog, account, target.ref.trim());
  if (resolved === null) throw new FerryError("invalid_version");
  assertAvailable(resolved.model);
  return resolved;
}

/** A model registered as unavailable (a missing program, code that failed to load) takes no predictions. */
export function assertAvailable(model: Model): void {
  if (model.unavailableReason === null) return;
  throw new FerryError("model_unavailable", `${model.owner}/${model.name} cannot run on this server: ${model.unavailableReason}`, {
    unavailable_reason: model.unavailableReason,
  });
}

async function resolveVersionRef(catalog: Catalog, account: Account, ref: string): Promise<ResolvedTarget | null> {
  if (isVersionId(ref)) {
    const version = await catalog.version(ref);
    if (version === null) return null;
    const model = await catalog.modelById(version.modelId);
    return model !== null && canView(account, model) ? { model, version } : null;
  }
  const withVersion = MODEL_AND_VERSION.exec(ref);
  if (withVersion !== null) {
    const [, owner = "", name = "", versionId = ""] = withVersion;
    if (!isVersionId(versionId)) return null;
    const model = await visibleModel(catalog, account, owner, name);
    if (model === null) return null;
    const version = await catalog.version(versionId);
    return version !== null && version.modelId === model.id ? { model, version } : null;
  }
  const modelOnly = MODEL_ONLY.exec(ref);
  if (modelOnly !== null) {
    const [, owner = "", name = ""] = modelOnly;
    const model = await visibleModel(catalog, account, owner, name);
    const version = model === null ? null : await latestOf(catalog, model);
    return model !== null && version !== null ? { model, version } : null;
  }
  return null;
}

async function visibleModel(catalog: Catalog, account: Account, owner: string, name: string): Promise<Model | null> {
  const model = await catalog.modelByName(owner, name);
  return model !== null && canView(account, model) ? model : null;
}

async function latestOf(catalog: Catalog, model: Model): Promise<Version | null> {
  if (model.latestVersionId === null) return null;
  const version = await catalog.version(model.latestVersionId);
  return version !== null && version.modelId === model.id ? version : null;
}
