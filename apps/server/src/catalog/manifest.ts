// The ferry.json manifest of a built-in model folder: identity, links, and its catalog entry (cover, tags,
// collections, pricing, memory bound, required programs, examples).
import { z } from "zod";
import { isHardwareSku } from "../hardware-catalog.js";

const NAME = /^[a-z0-9][a-z0-9._-]*$/;
const nullableUrl = z.url().nullable().optional();

/** The collections a manifest may name; "official" is every official model and is never named. */
export const MANIFEST_COLLECTIONS = ["vision", "audio", "text", "utilities"] as const;

/** A path relative to the model folder: no absolute path, no "..", no backslash. */
const relativePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith("/") && !p.includes("\\") && !p.split("/").includes(".."), "must be a path inside the model folder");

const pricing = z
  .object({ unit: z.string().regex(/^[a-z][a-z_]*$/, "unit must be a lowercase word such as second or image"), price_usd: z.number().positive().optional() })
  .refine((p) => (p.unit === "second") === (p.price_usd === undefined), {
    message: 'unit "second" takes the hardware\'s price (no price_usd); any other unit needs price_usd',
  });

export const MANIFEST = z.object({
  owner: z.string().regex(NAME, "owner must use lowercase letters, digits, '.', '_' and '-'"),
  name: z.string().regex(NAME, "name must use lowercase letters, digits, '.', '_' and '-'"),
  description: z.string().nullable().optional(),
  visibility: z.enum(["public", "private"]).default("public"),
  hardware: z.string().refine(isHardwareSku, "hardware must be a SKU of GET /v1/hardware").default("cpu"),
  predict: z.string().min(1),
  license_url: nullableUrl,
  github_url: nullableUrl,
  paper_url: nullableUrl,
  /** An absolute cover URL elsewhere; `cover_image` (a file in the folder) wins when both are given. */
  cover_image_url: nullableUrl,
  cover_image: relativePath.refine((p) => /\.(png|jpe?g|webp|gif)$/i.test(p), "cover_image must be a .png, .jpg, .webp or .gif file").optional(),
  tags: z.array(z.string().regex(/^[a-z0-9][a-z0-9 +.-]*$/, "tags are lowercase words")).default([]),
  collections: z.array(z.enum(MANIFEST_COLLECTIONS)).default([]),
  pricing: pricing.optional(),
  /** Measured peak RSS of an instance, rounded up; 0 means not measured yet (stored as unknown). */
  memory_mb: z.number().int().nonnegative().optional(),
  requires: z.array(z.string().regex(/^[A-Za-z0-9._+-]+$/, "requires lists program names (no paths)")).default([]),
  examples: z
    .array(z.object({ name: z.string().min(1).max(100), input: z.record(z.string(), z.unknown()) }))
    .default([])
    .refine((list) => new Set(list.map((e) => e.name)).size === list.length, "example names must be unique"),
});

export type Manifest = z.infer<typeof MANIFEST>;

/** Parses a ferry.json text; throws an Error naming every invalid field. */
export function parseManifest(text: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`ferry.json is invalid: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = MANIFEST.safeParse(json);
  if (!parsed.success) {
    throw new Error(`ferry.json is invalid: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return parsed.data;
}
