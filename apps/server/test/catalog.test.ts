// The official catalog: manifests with catalog entries, unavailable models, covers and example files, search,
// collections, and default examples run as the model's owner.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "@ferry/core";
import type { ModelAssets } from "../src/catalog/model-assets.js";
import { registerBuiltinModels } from "../src/builtin-models.js";
import type { BuiltinModelResult } from "../src/builtin-models.js";
import { runDefaultExamples } from "../src/catalog/default-examples.js";
import { playRunner } from "./support/fake-runner.js";
import { PUBLIC_URL, startHarness } from "./support/harness.js";
import type { Harness } from "./support/harness.js";

const MODELS = join(import.meta.dirname, "fixtures", "catalog-models");
const MISSING = "ferry-test-program-that-is-not-installed";

interface ModelBody {
  owner: string;
  name: string;
  cover_image_url: string | null;
  default_example: { id: string; status: string; source: string; input: Record<string, unknown>; output: unknown } | null;
  unavailable_reason: string | null;
  tags: string[];
  pricing: { unit: string; price_usd_per_unit: number | null };
}

let h: Harness;
let result: BuiltinModelResult;
const assets: ModelAssets = new Map();
beforeAll(async () => {
  h = await startHarness({ modelAssets: assets });
  result = await registerBuiltinModels(h.engine, MODELS, silentLogger, { publicUrl: PUBLIC_URL, path: process.env["PATH"] });
  for (const [ref, asset] of result.assets) assets.set(ref, asset);
});
afterAll(() => h.close());

const open = (url: string) => h.app.inject({ method: "GET", url });

describe("registration", () => {
  it("registers every manifest, and a model that needs a missing program as unavailable with the reason", () => {
    expect(result.failed).toEqual([]);
    expect(result.registered.map((r) => [r.model, r.unavailableReason])).toEqual([
      ["cat/helper", null],
      ["cat/reader", null],
      ["cat/speaker", `it needs ${MISSING}, which is not installed (not found on PATH)`],
    ]);
    // The speaker's code loads: it has a version, it just cannot run here.
    expect(result.registered[2]!.versionId).toMatch(/^[0-9a-f]{64}$/);
  });

  it("turns example file paths into public URLs served by the server", () => {
    const reader = result.registered[1]!;
    expect(reader.examples).toEqual([
      { name: "default", input: { image: `${PUBLIC_URL}/v1/models/cat/reader/files/examples/receipt.png`, label: "receipt" } },
      { name: "second", input: { image: `${PUBLIC_URL}/v1/models/cat/reader/files/examples/receipt.png`, label: "again" } },
    ]);
  });
});

describe("model JSON", () => {
  it("carries the cover URL, tags, pricing, and no unavailable_reason for a model that can run", async () => {
    const res = await h.call({ method: "GET", url: "/v1/models/cat/reader" });
    expect(res.statusCode).toBe(200);
    const body = res.json<ModelBody>();
    expect(body).toMatchObject({
      is_official: true,
      license_url: "https://www.apache.org/licenses/LICENSE-2.0",
      tags: ["ocr", "vision"],
      pricing: { unit: "image", price_usd_per_unit: 0.0002 },
      unavailable_reason: null,
      default_example: null,
    });
    expect(body.cover_image_url).toMatch(new RegExp(`^${PUBLIC_URL}/v1/models/cat/reader/cover\\?v=[0-9a-f]{12}$`));
  });

  it("prices per second of the model's hardware by default", async () => {
    const body = (await h.call({ method: "GET", url: "/v1/models/cat/helper" })).json<ModelBody>();
    expect(body).toMatchObject({ pricing: { unit: "second", price_usd_per_unit: 0.0001 }, cover_image_url: null });
  });
});

describe("public model files", () => {
  it("serves the cover without a token, cacheable", async () => {
    const res = await open("/v1/models/cat/reader/cover?v=anything");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("image/png");
    expect(res.headers["cache-control"]).toBe("public, max-age=86400");
    expect(res.rawPayload.equals(await readFile(join(MODELS, "reader", "cover.png")))).toBe(true);
    expect((await open("/v1/models/cat/helper/cover")).statusCode).toBe(404);
    expect((await open("/v1/models/cat/nobody/cover")).statusCode).toBe(404);
  });

  it("serves example files without a token", async () => {
    const res = await open("/v1/models/cat/reader/files/examples/receipt.png");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("image/png");
    expect(res.rawPayload.equals(await readFile(join(MODELS, "reader", "examples", "receipt.png")))).toBe(true);
  });

  it.each([
    "/v1/models/cat/reader/files/secret.txt",
    "/v1/models/cat/reader/files/ferry.json",
    "/v1/models/cat/reader/files/examples/../secret.txt",
    "/v1/models/cat/reader/files/examples/%2e%2e/secret.txt",
    "/v1/models/cat/reader/files/examples/..%2fsecret.txt",
    "/v1/models/cat/reader/files/examples/%2fetc%2fpasswd",
    "/v1/models/cat/reader/files/examples/",
    "/v1/models/cat/reader/files/examples/missing.png",
    "/v1/models/cat/unknown/files/examples/receipt.png",
  ])("serves nothing outside examples/: %s", async (url) => {
    const res = await open(url);
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain("never served");
  });
});

describe("an unavailable model", () => {
  it("is listed with its reason", async () => {
    const body = (await h.call({ method: "GET", url: "/v1/models/cat/speaker" })).json<ModelBody>();
    expect(body.unavailable_reason).toContain(MISSING);
    const list = (await h.call({ method: "GET", url: "/v1/models" })).json<{ results: ModelBody[] }>();
    expect(list.results.find((m) => m.name === "speaker")?.unavailable_reason).toContain(MISSING);
  });

  it("answers predictions with 503 model_unavailable and queues nothing", async () => {
    const versionId = result.registered[2]!.versionId!;
    for (const [url, payload] of [
      ["/v1/models/cat/speaker/predictions", { input: { text: "hi" } }],
      ["/v1/predictions", { version: versionId, input: { text: "hi" } }],
      ["/v1/predictions", { version: "cat/speaker", input: { text: "hi" } }],
    ] as const) {
      const res = await h.call({ method: "POST", url, payload });
      expect(res.statusCode).toBe(503);
      expect(res.headers["content-type"]).toContain("application/problem+json");
      expect(res.json()).toMatchObject({ status: 503, title: "Model unavailable", unavailable_reason: expect.stringContaining(MISSING) });
      expect(res.json<{ detail: string }>().detail).toContain("cat/speaker cannot run on this server");
    }
    expect((await h.call({ method: "GET", url: "/v1/predictions" })).json<{ results: unknown[] }>().results).toEqual([]);
  });
});

describe("search", () => {
  it("ranks name matches above readme matches, with the spec's shape", async () => {
    const res = await h.call({ method: "GET", url: "/v1/search?query=Reader" });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ query: string; models: { model: ModelBody; metadata: unknown }[]; collections: unknown[]; pages: unknown[] }>();
    expect(body.query).toBe("Reader");
    expect(body.models.map((m) => m.model.name)).toEqual(["reader", "helper"]);
    expect(body.models[0]!.metadata).toEqual({ generated_description: null, tags: ["ocr", "vision"], score: 1 });
    expect(body.models[1]!.metadata).toMatchObject({ score: 0.2 });
    expect(body).toMatchObject({ collections: [], pages: [] });
  });

  it("ranks a tag match above a description match", async () => {
    // "speech" is a tag of cat/speaker; "text" is in its description and is a tag of nothing.
    const tagged = (await h.call({ method: "GET", url: "/v1/search?query=speech" })).json<{ models: { metadata: { score: number } }[] }>();
    expect(tagged.models.map((m) => m.metadata.score)).toEqual([0.8]);
    const query = await h.call({ method: "QUERY", url: "/v1/models", headers: { "content-type": "text/plain" }, payload: '"ocr"' });
    expect(query.json<{ results: ModelBody[] }>().results.map((m) => m.name)).toEqual(["reader"]);
  });

  it("finds collections with their models", async () => {
    const body = (await h.call({ method: "GET", url: "/v1/search?query=audio&limit=5" })).json<{ collections: unknown[] }>();
    expect(body.collections).toEqual([{ name: "Audio", slug: "audio", description: expect.any(String), models: ["cat/speaker"] }]);
  });

  it.each([
    ["/v1/search", 'Query parameter "query" is required'],
    ["/v1/search?query=%20", 'Query parameter "query" is required'],
    ["/v1/search?query=x&limit=0", "limit must be a whole number from 1 to 50"],
    ["/v1/search?query=x&limit=51", "limit must be a whole number from 1 to 50"],
  ])("answers %s with 400", async (url, detail) => {
    const res = await h.call({ method: "GET", url });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ status: 400, detail });
  });
});

describe("collections", () => {
  it("lists the official collections as a page", async () => {
    const res = await h.call({ method: "GET", url: "/v1/collections" });
    expect(res.statusCode).toBe(200);
    const page = res.json<{ previous: null; next: null; results: Record<string, unknown>[] }>();
    expect(page.results.map((c) => c.slug)).toEqual(["official", "vision", "audio", "text", "utilities"]);
    expect(Object.keys(page.results[0]!)).toEqual(["name", "slug", "description"]);
    expect(page).toMatchObject({ previous: null, next: null });
  });

  it("gets a collection with its models, in folder order; official holds every official model", async () => {
    const vision = (await h.call({ method: "GET", url: "/v1/collections/vision" })).json<{ models: ModelBody[] }>();
    expect(vision).toMatchObject({ name: "Vision", slug: "vision", full_description: null });
    expect(vision.models.map((m) => `${m.owner}/${m.name}`)).toEqual(["cat/reader"]);
    expect(vision.models[0]!.tags).toEqual(["ocr", "vision"]);
    const official = (await h.call({ method: "GET", url: "/v1/collections/official" })).json<{ models: ModelBody[] }>();
    expect(official.models.map((m) => m.name)).toEqual(["helper", "reader", "speaker"]);
    const text = (await h.call({ method: "GET", url: "/v1/collections/text" })).json<{ models: ModelBody[] }>();
    expect(text.models.map((m) => m.name)).toEqual(["reader"]);
  });

  it("answers an unknown collection with 404", async () => {
    const res = await h.call({ method: "GET", url: "/v1/collections/nope" });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ detail: "The collection nope does not exist" });
  });
});

describe("default examples", () => {
  it("runs each model's first example as its owner, saves it, and does not run it again for the same version", async () => {
    const seen: Record<string, unknown>[] = [];
    const stop = playRunner(h.engine.controlPlane, async (report, input) => {
      seen.push(input);
      // What a runner does with a file input: fetch the URL (here through the app, as the host is not real).
      const file = await open(new URL(String(input["image"])).pathname);
      await report({ type: "started" });
      await report({ type: "succeeded", output: `${String(input["label"])}: ${file.rawPayload.length} bytes` });
    });
    try {
      await runDefaultExamples({ engine: h.engine, models: result.registered, log: silentLogger, timeoutMs: 20_000 }).finished;
      // Only the reader has examples and can run: the speaker is unavailable, the helper has none.
      expect(seen).toEqual([result.registered[1]!.examples[0]!.input]);
      const size = (await readFile(join(MODELS, "reader", "examples", "receipt.png"))).length;

      const model = (await h.call({ method: "GET", url: "/v1/models/cat/reader" })).json<ModelBody>();
      expect(model.default_example).toMatchObject({ status: "succeeded", source: "web", output: `receipt: ${size} bytes`, input: seen[0] });
      const examples = (await h.call({ method: "GET", url: "/v1/models/cat/reader/examples" })).json<{ results: { id: string }[]; next: null }>();
      expect(examples.results.map((p) => p.id)).toEqual([model.default_example!.id]);
      expect(examples.next).toBeNull();
      // Any viewer of the model sees its examples.
      const asBob = await h.call({ method: "GET", url: "/v1/models/cat/reader/examples", headers: { authorization: "Bearer r8_bob_token_0123456789abcdefghijklmnopqrs" } });
      expect(asBob.json<{ results: unknown[] }>().results).toHaveLength(1);

      await runDefaultExamples({ engine: h.engine, models: result.registered, log: silentLogger, timeoutMs: 20_000 }).finished;
      expect(seen).toHaveLength(1);
      const again = (await h.call({ method: "GET", url: "/v1/models/cat/reader" })).json<ModelBody>();
      expect(again.default_example?.id).toBe(model.default_example!.id);
    } finally {
      stop();
    }
  });

  it("answers examples of an unknown model with 404 and of a model without examples with an empty page", async () => {
    expect((await h.call({ method: "GET", url: "/v1/models/cat/nobody/examples" })).statusCode).toBe(404);
    const none = await h.call({ method: "GET", url: "/v1/models/cat/helper/examples" });
    expect(none.json()).toEqual({ previous: null, next: null, results: [] });
  });
});
