// The prediction endpoints as the official clients use them: create (both routes), get, list, cancel.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PUBLIC_URL, startHarness, TOKEN } from "./support/harness.js";
import type { Harness } from "./support/harness.js";
import { registerTestModel } from "./support/models.js";

const PROBLEM_JSON = "application/problem+json; charset=utf-8";
const PREDICTION_KEYS = [
  "id", "model", "version", "input", "output", "logs", "error", "status", "source", "data_removed",
  "created_at", "started_at", "completed_at", "metrics", "urls",
  // Ferry's extra key, which the official clients ignore.
  "timeline",
];

let h: Harness;
let versionId: string;
beforeAll(async () => {
  h = await startHarness();
  versionId = (await registerTestModel(h.engine, { name: "greeter" })).version.id;
});
afterAll(() => h.close());

describe("POST /v1/predictions", () => {
  it("creates a prediction: 201, Location, every key present, absolute urls", async () => {
    const res = await h.call({ method: "POST", url: "/v1/predictions", payload: { version: versionId, input: { text: "Alice" } } });
    expect(res.statusCode).toBe(201);
    expect(res.statusMessage).toBe("Created");
    const body = res.json();
    expect(Object.keys(body)).toEqual(PREDICTION_KEYS);
    expect(body).toMatchObject({
      model: "ferry/greeter",
      version: versionId,
      input: { text: "Alice" },
      output: null,
      logs: "",
      error: null,
      status: "starting",
      source: "api",
      data_removed: false,
      started_at: null,
      completed_at: null,
      metrics: {},
    });
    expect(body.id).toMatch(/^[a-z2-7]{26}$/);
    expect(body.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(body.urls).toEqual({
      get: `${PUBLIC_URL}/v1/predictions/${body.id}`,
      cancel: `${PUBLIC_URL}/v1/predictions/${body.id}/cancel`,
      web: `${PUBLIC_URL}/p/${body.id}`,
    });
    expect(res.headers.location).toBe(body.urls.get);
    expect(res.headers["preference-applied"]).toBeUndefined();
  });

  it.each([
    ["owner/name:version", () => `ferry/greeter:${versionId}`],
    ["owner/name (latest version)", () => "ferry/greeter"],
  ])("accepts a version given as %s", async (_form, ref) => {
    const res = await h.call({ method: "POST", url: "/v1/predictions", payload: { version: ref(), input: { text: "x" } } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ version: versionId, model: "ferry/greeter" });
  });

  it("ignores unknown keys and the deprecated stream flag", async () => {
    const res = await h.call({
      method: "POST",
      url: "/v1/predictions",
      payload: { version: versionId, input: { text: "x" }, stream: true, something_else: { a: 1 } },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).not.toHaveProperty("something_else");
  });

  it("echoes the webhook and its filter", async () => {
    const res = await h.call({
      method: "POST",
      url: "/v1/predictions",
      payload: { version: versionId, input: { text: "x" }, webhook: "http://test.host/webhook", webhook_events_filter: ["output", "completed"] },
    });
    expect(res.json()).toMatchObject({ webhook: "http://test.host/webhook", webhook_events_filter: ["output", "completed"] });
  });

  it("reads the legacy webhook_completed as a webhook filtered to completed", async () => {
    const res = await h.call({
      method: "POST",
      url: "/v1/predictions",
      payload: { version: versionId, input: { text: "x" }, webhook_completed: "https://example.com/done" },
    });
    expect(res.json()).toMatchObject({ webhook: "https://example.com/done", webhook_events_filter: ["completed"] });
  });

  it("rejects a webhook that is not an http(s) URL with 400", async () => {
    const res = await h.call({ method: "POST", url: "/v1/predictions", payload: { version: versionId, input: { text: "x" }, webhook: "invalid-url" } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ detail: "webhook must be an absolute http:// or https:// URL" });
  });

  it("answers 422 invalid_version for a version that does not exist", async () => {
    const res = await h.call({ method: "POST", url: "/v1/predictions", payload: { version: "f".repeat(64), input: { text: "x" } } });
    expect(res.statusCode).toBe(422);
    expect(res.statusMessage).toBe("Unprocessable Entity");
    expect(res.headers["content-type"]).toBe(PROBLEM_JSON);
    expect(res.body).toBe(
      '{"title":"Invalid version or not permitted","detail":"The specified version does not exist (or perhaps you don\'t have permission to use it?)","status":422}',
    );
  });

  it("answers 422 with invalid_fields for input that fails the version's schema", async () => {
    const res = await h.call({ method: "POST", url: "/v1/predictions", payload: { version: versionId, input: { steps: 9 } } });
    expect(res.statusCode).toBe(422);
    const body = res.json();
    expect(Object.keys(body)).toEqual(["title", "detail", "status", "invalid_fields"]);
    expect(body.title).toBe("Input validation failed");
    expect(body.status).toBe(422);
    expect(body.invalid_fields).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: "required", field: "input" }),
        expect.objectContaining({ field: "input.steps" }),
      ]),
    );
  });

  it("answers 422 to a serialized client as input and never logs its token", async () => {
    const leaked = "r8_leaked_token_that_must_never_be_logged_01";
    const res = await h.call({
      method: "POST",
      url: "/v1/predictions",
      headers: { authorization: `Token ${TOKEN}` },
      payload: {
        version: versionId,
        input: { auth: leaked, userAgent: "replicate-javascript/1.4.0", baseUrl: `${PUBLIC_URL}/v1`, fileEncodingStrategy: "data-uri", useFileOutput: true },
      },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ title: "Input validation failed", status: 422 });
    expect(res.body).not.toContain(leaked);
    expect(h.logs().length).toBeGreaterThan(0); // the capture works: trace-level request lines are there
    expect(h.logs()).not.toContain(leaked);
    expect(h.logs()).not.toContain(TOKEN);
  });

  it("accepts a trailing slash", async () => {
    const res = await h.call({ method: "POST", url: "/v1/predictions/", payload: { version: versionId, input: { text: "x" } } });
    expect(res.statusCode).toBe(201);
    const again = await h.call({ method: "GET", url: `/v1/predictions/${res.json<{ id: string }>().id}/` });
    expect(again.statusCode).toBe(200);
  });
});

describe("POST /v1/models/{owner}/{name}/predictions", () => {
  it("runs the model's latest version", async () => {
    const res = await h.call({ method: "POST", url: "/v1/models/ferry/greeter/predictions", payload: { input: { text: "Bob" } } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ model: "ferry/greeter", version: versionId, input: { text: "Bob" }, status: "starting" });
    expect(res.headers.location).toBe(res.json<{ urls: { get: string } }>().urls.get);
  });
});

describe("Cancel-After", () => {
  it("sets the deadline from the creation time", async () => {
    const res = await h.call({
      method: "POST",
      url: "/v1/predictions",
      headers: { "cancel-after": "1h30m45s" },
      payload: { version: versionId, input: { text: "x" } },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json<{ created_at: string; deadline: string }>();
    expect(Date.parse(body.deadline) - Date.parse(body.created_at)).toBe(5_445_000);
  });

  it.each(["soon", "3s"])("answers 400 to %j", async (value) => {
    const res = await h.call({
      method: "POST",
      url: "/v1/predictions",
      headers: { "cancel-after": value },
      payload: { version: versionId, input: { text: "x" } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers["content-type"]).toBe(PROBLEM_JSON);
  });
});
