// Every error is problem+json (title, detail, status, extras), with the standard reason phrase.
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OTHER_TOKEN, startHarness } from "./support/harness.js";
import type { Harness } from "./support/harness.js";

const PROBLEM_JSON = "application/problem+json; charset=utf-8";
import { registerTestModel } from "./support/models.js";

let h: Harness;
let versionId: string;
beforeAll(async () => {
  h = await startHarness();
  versionId = (await registerTestModel(h.engine, { name: "greeter" })).version.id;
});
afterAll(() => h.close());

describe("error responses", () => {
  it("answers 404 problem+json for an unknown prediction", async () => {
    const res = await h.call({ method: "GET", url: "/v1/predictions/aaaaaaaaaaaaaaaaaaaaaaaaaa" });
    expect(res.statusCode).toBe(404);
    expect(res.statusMessage).toBe("Not Found");
    expect(res.headers["content-type"]).toBe(PROBLEM_JSON);
    expect(res.body).toBe('{"title":"Not found","detail":"Not found.","status":404}');
  });

  it("answers 404 for another account's prediction, on get and on cancel", async () => {
    const created = await h.call({ method: "POST", url: "/v1/predictions", payload: { version: versionId, input: { text: "hi" } } });
    expect(created.statusCode).toBe(201);
    const id = created.json<{ id: string }>().id;
    for (const request of [
      { method: "GET" as const, url: `/v1/predictions/${id}` },
      { method: "POST" as const, url: `/v1/predictions/${id}/cancel` },
    ]) {
      const res = await h.call({ ...request, headers: { authorization: `Bearer ${OTHER_TOKEN}` } });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ title: "Not found", detail: "Not found.", status: 404 });
    }
  });

  it("answers 404 for an unknown model, its versions, and running it by name", async () => {
    for (const request of [
      { method: "GET" as const, url: "/v1/models/nobody/nothing" },
      { method: "GET" as const, url: "/v1/models/nobody/nothing/versions" },
      { method: "GET" as const, url: `/v1/models/nobody/nothing/versions/${versionId}` },
      { method: "POST" as const, url: "/v1/models/nobody/nothing/predictions", payload: { input: {} } },
    ]) {
      const res = await h.call(request);
      expect(res.statusCode, request.url).toBe(404);
      expect(res.headers["content-type"]).toBe(PROBLEM_JSON);
      expect(res.json()).toMatchObject({ title: "Not found", status: 404 });
    }
  });

  it("answers 404 problem+json for an unknown route, with or without a token", async () => {
    for (const headers of [{}, { authorization: "Bearer nope" }]) {
      const res = await h.app.inject({ method: "GET", url: "/v1/nothing-here?x=1", headers });
      expect(res.statusCode).toBe(404);
      expect(res.headers["content-type"]).toBe(PROBLEM_JSON);
      expect(res.body).toBe('{"title":"Not found","detail":"No route for GET /v1/nothing-here","status":404}');
    }
  });

  it("answers 400 problem+json for malformed JSON", async () => {
    const res = await h.call({
      method: "POST",
      url: "/v1/predictions",
      headers: { "content-type": "application/json" },
      payload: '{"version": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.statusMessage).toBe("Bad Request");
    expect(res.headers["content-type"]).toBe(PROBLEM_JSON);
    expect(res.body).toBe('{"title":"Bad request","detail":"The request body is not valid JSON","status":400}');
  });

  it("answers 400 when the body fails the route's schema", async () => {
    const res = await h.call({ method: "POST", url: "/v1/predictions", payload: { input: { text: "x" } } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ title: "Validation failed", detail: "body must have required property 'version'", status: 400 });
  });

  it("answers 400 for an unknown webhook event", async () => {
    const res = await h.call({
      method: "POST",
      url: "/v1/predictions",
      payload: { version: versionId, input: { text: "x" }, webhook: "https://example.com/hook", webhook_events_filter: ["finished"] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ detail: string }>().detail).toContain("webhook_events_filter");
  });

  it("answers 415 for a body type it does not read", async () => {
    const res = await h.call({ method: "POST", url: "/v1/predictions", headers: { "content-type": "application/xml" }, payload: "<a/>" });
    expect(res.statusCode).toBe(415);
    expect(res.headers["content-type"]).toBe(PROBLEM_JSON);
    expect(res.json()).toMatchObject({ title: "Unsupported Media Type", status: 415 });
  });

  it("answers an unexpected failure with a generic 500, logged with the request id and never with the body", async () => {
    // A fresh harness whose store is closed: every query throws a real driver error.
    const broken = await startHarness();
    try {
      const version = (await registerTestModel(broken.engine, { name: "greeter" })).version.id;
      await broken.call({ method: "GET", url: "/v1/account" }); // caches the token, so auth still passes
      await broken.store.close();
      const res = await broken.call({
        method: "POST",
        url: "/v1/predictions",
        payload: { version, input: { text: "the-secret-input-value" } },
      });
      expect(res.statusCode).toBe(500);
      expect(res.statusMessage).toBe("Internal Server Error");
      expect(res.headers["content-type"]).toBe(PROBLEM_JSON);
      expect(res.body).toBe('{"title":"Internal server error","detail":"Internal server error","status":500}');
      const errorLines = broken
        .logs()
        .split("\n")
        .filter((line) => line.includes('"unhandled error"'));
      expect(errorLines).toHaveLength(1);
      expect(JSON.parse(errorLines[0]!)).toMatchObject({ level: 50, reqId: expect.any(String) });
      expect(broken.logs()).not.toContain("the-secret-input-value");
    } finally {
      await broken.app.close();
      await broken.engine.stop();
      await rm(broken.dir, { recursive: true, force: true });
    }
  });
});
