// Model and Version → ModelJSON and VersionJSON (spec §3.3, §3.4).
import type { Model, ModelJSON, Version, VersionJSON } from "@ferry/core";
import type { PublicUrls } from "../http/public-urls.js";

export function serializeVersion(version: Version): VersionJSON {
  return {
    id: version.id,
    created_at: version.createdAt,
    cog_version: version.cogVersion,
    openapi_schema: version.openapiSchema,
  };
}

/** `latest` is the model's latest version (the route fetches it), or null when it has none. */
export function serializeModel(model: Model, latest: Version | null, urls: PublicUrls): ModelJSON {
  return {
    url: urls.model(model.owner, model.name),
    owner: model.owner,
    name: model.name,
    description: model.description,
    visibility: model.visibility,
    is_official: model.isOfficial,
    github_url: model.githubUrl,
    paper_url: model.paperUrl,
    license_url: model.licenseUrl,
    weights_url: model.weightsUrl,
    run_count: model.runCount,
    cover_image_url: model.coverImageUrl,
    default_example: null,
    latest_version: latest === null ? null : serializeVersion(latest),
    created_at: model.createdAt,
  };
}
