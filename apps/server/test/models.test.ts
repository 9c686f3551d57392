// Models, versions, hardware and account, as the official clients read them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OTHER_TOKEN, PUBLIC_URL, startHarness } from "./support/harness.js";
import type { Harness } from "./support/harness.js";
import { GREETER_SCHEMA, registerTestModel } from "./support/models.js";

const MODEL_KEYS = [
  "url", "owner", "name", "description", "visibility", "is_official", "github_url", "paper_url", "license_url",
  "weights_url", "run_count", "cover_image_url", "default_example", "latest_version", "created_at",
  // Ferry's own catalog fields, after Replicate's.
  "tags", "pricing", "unavailable_reason",
];

let h: Harness;
let latest: string;
let first: string;
beforeAll(async () => {
  h = await startHarness();
  first = (await registerTestModel(h.engine, { name: "hello-world", seed: "1", readme: "# Hello\n" })).version.id;
  latest = (await registerTestModel(h.engine, { name: "hello-world", seed: "2", readme: "# Hello\n" })).version.id;
  await registerTestModel(h.engine, { owner: "meta", name: "meta-llama-3-70b-instruct" });
  await registerTestModel(h.engine, { owner: "alice", name: "secret", visibility: "private" });
});
afterAll(() => h.close());

describe("GET /v1/models/{owner}/{name}", () => {
  it("returns the model with its latest version", async () => {
    const res = await h.call({ method: "GET", url: "/v1/models/ferry/hello-world", headers: { "content-type": "application/json" } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Object.keys(body)).toEqual(MODEL_KEYS);
    expect(body).toMatchObject({
      url: `${PUBLIC_URL}/ferry/hello-world`,
      owner: "ferry",
      name: "hello-world",
      description: "The hello-world test model",
      visibility: "public",
      is_official: true,
      github_url: "https://github.com/example/ferry",
      paper_url: null,
      license_url: null,
      run_count: 0,
      cover_image_url: null,
      default_example: null,
      latest_version: { id: latest, cog_version: null, openapi_schema: GREETER_SCHEMA },
    });
    expect(Object.keys(body.latest_version)).toEqual(["id", "created_at", "cog_version", "openapi_schema"]);
  });

  it("hides another account's private model", async () => {
    const own = await h.call({ method: "GET", url: "/v1/models/alice/secret" });
    expect(own.statusCode).toBe(200);
    const other = await h.call({ method: "GET", url: "/v1/models/alice/secret", headers: { authorization: `Bearer ${OTHER_TOKEN}` } });
    expect(other.statusCode).toBe(404);
  });

  it("serves the README as text", async () => {
    const res = await h.call({ method: "GET", url: "/v1/models/ferry/hello-world/readme" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(res.body).toBe("# Hello\n");
  });
});

describe("versions", () => {
  it("lists a model's versions, newest first", async () => {
    const res = await h.call({ method: "GET", url: "/v1/models/ferry/hello-world/versions" });
    expect(res.statusCode).toBe(200);
    const page = res.json<{ previous: null; next: null; results: { id: string }[] }>();
    expect(page.results.map((v) => v.id)).toEqual([latest, first]);
    expect(page.next).toBeNull();
  });

  it("gets one version, and 404s one of another model", async () => {
    const res = await h.call({ method: "GET", url: `/v1/models/ferry/hello-world/versions/${first}` });
    expect(res.json()).toMatchObject({ id: first, openapi_schema: GREETER_SCHEMA });
    const wrong = await h.call({ method: "GET", url: `/v1/models/meta/meta-llama-3-70b-instruct/versions/${first}` });
    expect(wrong.statusCode).toBe(404);
  });
});

describe("GET /v1/models and QUERY /v1/models", () => {
  it("lists the models the caller can see", async () => {
    const res = await h.call({ method: "GET", url: "/v1/models" });
    const names = res.json<{ results: { owner: string; name: string }[] }>().results.map((m) => `${m.owner}/${m.name}`);
    expect(names.sort()).toEqual(["alice/secret", "ferry/hello-world", "meta/meta-llama-3-70b-instruct"]);
    const other = await h.call({ method: "GET", url: "/v1/models", headers: { authorization: `Bearer ${OTHER_TOKEN}` } });
    expect(other.json<{ results: unknown[] }>().results).toHaveLength(2);
  });

  it.each([
    ["a JSON-quoted body (the JS client)", '"llama"'],
    ["a raw body (the Python client)", "llama"],
  ])("searches with %s", async (_case, payload) => {
    const res = await h.call({ method: "QUERY", url: "/v1/models", headers: { "content-type": "text/plain" }, payload });
    expect(res.statusCode).toBe(200);
    const page = res.json<{ previous: null; next: null; results: { owner: string; name: string; github_url: string | null }[] }>();
    expect(page.results[0]).toMatchObject({ owner: "meta", name: "meta-llama-3-70b-instruct" });
    expect(page.results).toHaveLength(1);
    expect(page).toMatchObject({ previous: null, next: null });
  });

  it("answers a search without a text body with 400", async () => {
    const res = await h.call({ method: "QUERY", url: "/v1/models", headers: { "content-type": "application/json" }, payload: "{}" });
    expect(res.statusCode).toBe(400);
  });

  it("searches through GET with ?query= so a search page's next URL can be followed", async () => {
    const res = await h.call({ method: "GET", url: "/v1/models?query=llama" });
    expect(res.json<{ results: { name: string }[] }>().results.map((m) => m.name)).toEqual(["meta-llama-3-70b-instruct"]);
  });
});

describe("GET /v1/hardware and GET /v1/account", () => {
  it("lists hardware as a bare array with CPU first", async () => {
    const res = await h.call({ method: "GET", url: "/v1/hardware/" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    const body = res.json<{ name: string; sku: string }[]>();
    expect(Array.isArray(body)).toBe(true);
    expect(body[0]).toEqual({ name: "CPU", sku: "cpu" });
    expect(body.map((hw) => hw.sku)).toContain("gpu-t4");
  });

  it("returns the caller's account", async () => {
    const res = await h.call({ method: "GET", url: "/v1/account" });
    expect(res.json()).toEqual({ type: "user", username: "alice", name: "alice" });
  });
});
