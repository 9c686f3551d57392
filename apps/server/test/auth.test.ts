// Authentication: Bearer and Token schemes, and the exact 401 production sends for anything else.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, TOKEN } from "./support/harness.js";
import type { Harness } from "./support/harness.js";

const PROBLEM_JSON = "application/problem+json; charset=utf-8";

const UNAUTHENTICATED = '{"title":"Unauthenticated","detail":"You did not pass a valid authentication token","status":401}';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe("authentication", () => {
  it.each([
    ["no Authorization header", undefined],
    ["an unknown bearer token", "Bearer r8_not_a_real_token_at_all_000000000000"],
    ["an unknown Token-scheme token", "Token r8_not_a_real_token_at_all_000000000000"],
    ["an unknown scheme", `Basic ${TOKEN}`],
    ["a scheme with no token", "Bearer "],
    ["a bare token", TOKEN],
  ])("answers 401 problem+json for %s", async (_case, authorization) => {
    const res = await h.app.inject({ method: "GET", url: "/v1/account", headers: authorization ? { authorization } : {} });
    expect(res.statusCode).toBe(401);
    expect(res.statusMessage).toBe("Unauthorized");
    expect(res.headers["content-type"]).toBe(PROBLEM_JSON);
    expect(res.body).toBe(UNAUTHENTICATED);
  });

  it.each([`Bearer ${TOKEN}`, `Token ${TOKEN}`, `bearer ${TOKEN}`])("accepts %s", async (authorization) => {
    const res = await h.app.inject({ method: "GET", url: "/v1/account", headers: { authorization } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ type: "user", username: "alice", name: "alice" });
  });

  it("checks the token before reading a body", async () => {
    const res = await h.app.inject({
      method: "POST",
      url: "/v1/predictions",
      headers: { "content-type": "application/json" },
      payload: "{not json",
    });
    expect(res.statusCode).toBe(401);
  });

  it("serves /health without a token", async () => {
    const res = await h.app.inject({ method: "GET", url: "/health" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: "ok" });
  });
});
