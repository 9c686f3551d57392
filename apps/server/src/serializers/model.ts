// Model and Version → ModelJSON and VersionJSON (spec §3.3, §3.4), with Ferry's catalog fields added.
import type { Model, ModelJSON, Prediction, Version, VersionJSON } from "@ferry/core";
import { hardwareBySku } from "../hardware-catalog.js";
import type { PublicUrls } from "../http/public-urls.js";
import { serializePrediction } from "./prediction.js";

/** How a run of the model is priced: US dollars per unit ("second" of the model's hardware, "image", …). */
export interface PricingJSON {
  unit: string;
  price_usd_per_unit: number | null;
}

/** Replicate's Model plus fields of Ferry's own (clients ignore keys they do not know). */
export interface FerryModelJSON extends ModelJSON {
  tags: string[];
  pricing: PricingJSON;
  /** Why the model cannot run on this server (its predictions answer 503 model_unavailable); null when it can. */
  unavailable_reason: string | null;
}

export function serializeVersion(version: Version): VersionJSON {
  return {
    id: version.id,
    created_at: version.createdAt,
    cog_version: version.cogVersion,
    openapi_schema: version.openapiSchema,
  };
}

/**
 * `latest` is the model's latest version and `defaultExample` its default example prediction (the route fetches
 * both), or null when it has none.
 */
export function serializeModel(model: Model, latest: Version | null, urls: PublicUrls, defaultExample: Prediction | null = null): FerryModelJSON {
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
    default_example: defaultExample === null ? null : serializePrediction(defaultExample, urls),
    latest_version: latest === null ? null : serializeVersion(latest),
    created_at: model.createdAt,
    tags: model.tags,
    pricing: pricingOf(model),
    unavailable_reason: model.unavailableReason,
  };
}

/** Runtime pricing (the default) costs the model hardware's price per second; other units carry their own price. */
export function pricingOf(model: Pick<Model, "pricing" | "hardware">): PricingJSON {
  const unit = model.pricing?.unit ?? "second";
  if (unit === "second") return { unit, price_usd_per_unit: hardwareBySku(model.hardware)?.pricePerSecondUsd ?? null };
  return { unit, price_usd_per_unit: model.pricing?.priceUsd ?? null };
}
