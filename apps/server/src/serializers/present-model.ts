// A model as the API shows it: its JSON needs the latest version and the default example, read alongside.
import type { Model } from "@ferry/core";
import type { Engine } from "@ferry/engine";
import type { PublicUrls } from "../http/public-urls.js";
import { serializeModel } from "./model.js";
import type { FerryModelJSON } from "./model.js";

export async function presentModel(engine: Engine, urls: PublicUrls, model: Model): Promise<FerryModelJSON> {
  const [latest, defaultExample] = await Promise.all([engine.models.latestVersion(model), engine.catalog.defaultExample(model)]);
  return serializeModel(model, latest, urls, defaultExample);
}

export function presentModels(engine: Engine, urls: PublicUrls, models: Model[]): Promise<FerryModelJSON[]> {
  return Promise.all(models.map((model) => presentModel(engine, urls, model)));
}
