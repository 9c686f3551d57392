// The collections of the official catalog. A manifest names the first four; "official" holds every official model.
import type { Collection } from "@ferry/core";

export const OFFICIAL_COLLECTIONS: readonly Collection[] = [
  {
    slug: "official",
    name: "Official models",
    description: "Every model that ships with Ferry: maintained, documented, with measured speed and memory, and runnable offline.",
    fullDescription: null,
    position: 0,
  },
  {
    slug: "vision",
    name: "Vision",
    description: "Models that read images: detect objects, faces and poses, read text, classify, remove backgrounds, upscale.",
    fullDescription: null,
    position: 1,
  },
  {
    slug: "audio",
    name: "Audio",
    description: "Models that hear or speak: speech to text, text to speech.",
    fullDescription: null,
    position: 2,
  },
  {
    slug: "text",
    name: "Text",
    description: "Models that read language: detect the language, find sentiment, entities and keywords.",
    fullDescription: null,
    position: 3,
  },
  {
    slug: "utilities",
    name: "Utilities",
    description: "Small tools and fixtures: echo, count, hello world.",
    fullDescription: null,
    position: 4,
  },
];
