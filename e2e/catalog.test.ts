// The official catalog through the official client: models.list and models.search, collections, public covers,
// and the default example of every official model in models/ run for real on one shared server.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type Replicate from "replicate";
import { clientFor, pollPrediction } from "./support/client.js";
import { REPO_ROOT, removeDataDir, sleep, startServer } from "./support/server.js";
import type { RunningServer } from "./support/server.js";

interface Manifest {
  owner: string;
  name: string;
  collections?: string[];
  examples?: { name: string; input: Record<string, unknown> }[];
  cover_image?: string;
}

interface CatalogModel {
  owner: string;
  name: string;
  is_official: boolean;
  cover_image_url: string | null;
  tags: string[];
  pricing: { unit: string; price_usd_per_unit: number | null };
  unavailable_reason: string | null;
  latest_version: { id: string } | null;
  default_example: { id: string; status: string; source: string; version: string; input: Record<string, unknown>; output: unknown } | null;
}

/** Every official model in the repository, read the way the server reads them. */
const MANIFESTS: Manifest[] = readdirSync(join(REPO_ROOT, "models"), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(REPO_ROOT, "models", entry.name, "ferry.json")))
  .map((entry) => JSON.parse(readFileSync(join(REPO_ROOT, "models", entry.name, "ferry.json"), "utf8")) as Manifest)
  .sort((a, b) => `${a.owner}/${a.name}`.localeCompare(`${b.owner}/${b.name}`));
const WITH_EXAMPLES = MANIFESTS.filter((m) => (m.examples ?? []).length > 0);
const ref = (m: { owner: string; name: string }) => `${m.owner}/${m.name}`;

/** Background examples run one model at a time; a cold boot on this machine may take tens of seconds. */
const PER_MODEL_TIMEOUT_MS = 180_000;

let server: RunningServer;
let replicate: Replicate;
beforeAll(async () => {
  server = await startServer({ env: { FERRY_RUN_EXAMPLES: "true", FERRY_OFFICIAL_MIN_INSTANCES: "0", FERRY_MAX_INSTANCES: "3", FERRY_LOG_LEVEL: "warn" } });
  replicate = clientFor(server);
});
afterAll(async () => {
  await server?.stop();
  if (server) removeDataDir(server.dataDir);
});

async function getModel(m: Manifest): Promise<CatalogModel> {
  return (await replicate.models.get(m.owner, m.name)) as unknown as CatalogModel;
}

describe("discovery", () => {
  it("lists every official model with its catalog fields, page by page", async () => {
    const listed: CatalogModel[] = [];
    for await (const page of replicate.paginate(() => replicate.models.list())) listed.push(...(page as unknown as CatalogModel[]));
    const names = listed.map(ref);
    for (const m of MANIFESTS) expect(names).toContain(ref(m));
    for (const model of listed.filter((l) => l.owner === "ferry")) {
      expect(model.is_official).toBe(true);
      expect(Array.isArray(model.tags)).toBe(true);
      expect(model.pricing.unit).toMatch(/^[a-z_]+$/);
      expect(model.pricing.price_usd_per_unit).toBeGreaterThan(0);
    }
  });

  it("searches with models.search (QUERY /v1/models), name matches first", async () => {
    const page = (await replicate.models.search("hello")) as unknown as { results: CatalogModel[] };
    expect(ref(page.results[0]!)).toBe("ferry/hello-world");
  });

  it("lists the collections and gets each with its models", async () => {
    const collections = await replicate.collections.list();
    expect(collections.results.map((c) => c.slug)).toEqual(["official", "vision", "audio", "text", "utilities"]);
    const official = (await replicate.collections.get("official")) as unknown as { models: CatalogModel[] };
    expect(official.models.map(ref).sort()).toEqual(MANIFESTS.map(ref).sort());
    for (const slug of ["vision", "audio", "text", "utilities"]) {
      const collection = (await replicate.collections.get(slug)) as unknown as { slug: string; models: CatalogModel[] };
      const expected = MANIFESTS.filter((m) => (m.collections ?? []).includes(slug)).map(ref);
      expect(collection.models.map(ref)).toEqual(expected);
    }
  });

  it("serves every cover publicly, without a token", async () => {
    for (const m of MANIFESTS.filter((x) => x.cover_image !== undefined)) {
      const model = await getModel(m);
      expect(model.cover_image_url, ref(m)).toMatch(new RegExp(`^${server.baseUrl}/v1/models/${ref(m)}/cover`));
      const res = await fetch(model.cover_image_url!);
      expect(res.status, ref(m)).toBe(200);
      expect(res.headers.get("content-type"), ref(m)).toMatch(/^image\//);
      expect(res.headers.get("cache-control"), ref(m)).toContain("public");
      expect((await res.arrayBuffer()).byteLength, ref(m)).toBeGreaterThan(0);
    }
  });
});

describe("default examples", () => {
  it(
    "runs every official model's default example at start, and the same input through the API, to succeeded",
    async () => {
      expect(WITH_EXAMPLES.length).toBeGreaterThan(0);
      const failures: string[] = [];
      for (const m of WITH_EXAMPLES) {
        const model = await getModel(m);
        if (model.unavailable_reason !== null) {
          // Not runnable on this machine: listed with its reason, and a prediction is refused clearly.
          await expect(replicate.run(`${m.owner}/${m.name}`, { input: {} })).rejects.toMatchObject({ response: { status: 503 } });
          failures.push(`${ref(m)} is unavailable here: ${model.unavailable_reason}`);
          continue;
        }
        const example = await waitForDefaultExample(m);
        if (example === null) {
          failures.push(`${ref(m)} has no succeeded default example after ${PER_MODEL_TIMEOUT_MS} ms`);
          continue;
        }
        expect(example).toMatchObject({ status: "succeeded", source: "web", version: model.latest_version?.id });
        // The same input through the API as any client runs it.
        const created = await replicate.predictions.create({ version: example.version, input: example.input });
        const ended = await pollPrediction(replicate, created.id, (p) => ["succeeded", "failed", "canceled"].includes(p.status), PER_MODEL_TIMEOUT_MS);
        if (ended.status !== "succeeded") failures.push(`${ref(m)}: API run of the default example ${ended.status}: ${String(ended.error)}`);
      }
      expect(failures, `${failures.join("\n")}\n--- server output (tail) ---\n${server.output().slice(-4000)}`).toEqual([]);
    },
    WITH_EXAMPLES.length * 2 * PER_MODEL_TIMEOUT_MS + 60_000,
  );

  it("lists the default example among the model's examples", async () => {
    const m = WITH_EXAMPLES.find((x) => ref(x) === "ferry/hello-world") ?? WITH_EXAMPLES[0]!;
    const model = await getModel(m);
    const examples = (await replicate.request(`/models/${ref(m)}/examples`, { method: "GET" }).then((r) => r.json())) as { results: { id: string }[] };
    expect(examples.results.map((p) => p.id)).toContain(model.default_example?.id);
  });
});

/** Polls the model until its default_example has succeeded (the server runs them one model at a time). */
async function waitForDefaultExample(m: Manifest): Promise<NonNullable<CatalogModel["default_example"]> | null> {
  const deadline = Date.now() + PER_MODEL_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const example = (await getModel(m)).default_example;
    if (example !== null && example.status === "succeeded") return example;
    await sleep(500);
  }
  return null;
}
