// Collections (spec §3.6) and the search response (spec §2.8: models with metadata, collections, pages).
import type { Collection, Model } from "@ferry/core";
import type { FerryModelJSON } from "./model.js";

export interface CollectionListItemJSON {
  name: string;
  slug: string;
  description: string;
}

export interface CollectionJSON extends CollectionListItemJSON {
  full_description: string | null;
  models: FerryModelJSON[];
}

export interface SearchResponseJSON {
  query: string;
  models: { model: FerryModelJSON; metadata: { generated_description: string | null; tags: string[]; score: number | null } }[];
  collections: (CollectionListItemJSON & { models: string[] | null })[];
  pages: { name: string; href: string }[];
}

export function serializeCollectionItem(collection: Collection): CollectionListItemJSON {
  return { name: collection.name, slug: collection.slug, description: collection.description };
}

export function serializeCollection(collection: Collection, models: FerryModelJSON[]): CollectionJSON {
  return { ...serializeCollectionItem(collection), full_description: collection.fullDescription, models };
}

/**
 * How well a model matches the search text, by where it matched (the store ranks the same way): name 1,
 * a tag 0.8, owner 0.6, description 0.4, readme 0.2.
 */
export function matchScore(model: Pick<Model, "name" | "tags" | "owner" | "description" | "readme">, text: string): number {
  const needle = text.trim().toLowerCase();
  const has = (value: string | null) => value !== null && value.toLowerCase().includes(needle);
  if (has(model.name)) return 1;
  if (model.tags.some(has)) return 0.8;
  if (has(model.owner)) return 0.6;
  if (has(model.description)) return 0.4;
  if (has(model.readme)) return 0.2;
  return 0;
}
