// DeploymentView → DeploymentJSON (spec §3.5). The configuration also carries Ferry's max_queue, fallback and
// retry_crashed, which the official clients pass through untouched.
import type { DeploymentJSON } from "@ferry/core";
import type { DeploymentView } from "@ferry/engine";
import { serializeAccount } from "./account.js";

export function serializeDeployment({ deployment, createdBy }: DeploymentView): DeploymentJSON {
  const release = deployment.currentRelease;
  const c = release.configuration;
  return {
    owner: deployment.owner,
    name: deployment.name,
    current_release: {
      number: release.number,
      model: release.model,
      version: release.versionId,
      created_at: release.createdAt,
      created_by: serializeAccount(createdBy),
      configuration: {
        hardware: c.hardware,
        min_instances: c.minInstances,
        max_instances: c.maxInstances,
        max_queue: c.maxQueue,
        fallback: c.fallback,
        retry_crashed: c.retryCrashed,
      },
    },
  };
}
