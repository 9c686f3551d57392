// Signing in to the web UI: the token in an http-only cookie, accepted by /v1 like the header, with writes guarded
// against cross-site requests.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PUBLIC_URL, startHarness, TOKEN } from "./support/harness.js";
import type { Harness } from "./support/harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const SAME_ORIGIN = { origin: PUBLIC_URL };
const CSRF = { "x-ferry-csrf": "1" };

async function signIn(token = TOKEN): Promise<string> {
  const res = await h.app.inject({ method: "POST", url: "/auth/session", headers: CSRF, payload: { token } });
  expect(res.statusCode).toBe(200);
  const cookie = res.cookies.find((c) => c.name === "ferry_session");
  if (cookie === undefined) throw new Error("no session cookie");
  return `ferry_session=${cookie.value}`;
}

describe("POST /auth/session", () => {
  it("sets an http-only, SameSite=Strict, Secure cookie for a valid token and answers with the account", async () => {
    const res = await h.app.inject({ method: "POST", url: "/auth/session", headers: SAME_ORIGIN, payload: { token: TOKEN } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ type: "user", username: "alice", name: "alice" });
    const header = String(res.headers["set-cookie"]);
    expect(header).toMatch(/^ferry_session=/);
    expect(header).toContain("HttpOnly");
    expect(header).toContain("SameSite=Strict");
    // The harness's public URL is https, so the cookie never travels over plain http.
    expect(header).toContain("Secure");
    expect(header).toContain("Path=/");
  });

  it("answers 401 problem+json and sets no cookie for an unknown token", async () => {
    const res = await h.app.inject({ method: "POST", url: "/auth/session", headers: CSRF, payload: { token: "r8_wrong" } });
    expect(res.statusCode).toBe(401);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    expect(res.json().detail).toBe("That API token is not valid");
    expect(res.headers["set-cookie"]).toBeUndefined();
  });

  it("answers 400 when no token is sent", async () => {
    const res = await h.app.inject({ method: "POST", url: "/auth/session", headers: CSRF, payload: {} });
    expect(res.statusCode).toBe(400);
    expect(res.headers["set-cookie"]).toBeUndefined();
  });

  it("refuses a sign-in posted from another site (login CSRF)", async () => {
    const res = await h.app.inject({
      method: "POST",
      url: "/auth/session",
      headers: { origin: "https://evil.example" },
      payload: { token: TOKEN },
    });
    expect(res.statusCode).toBe(403);
    expect(res.headers["set-cookie"]).toBeUndefined();
  });
});

describe("the session cookie on /v1", () => {
  it("authenticates reads", async () => {
    const cookie = await signIn();
    const res = await h.app.inject({ method: "GET", url: "/v1/account", headers: { cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.json().username).toBe("alice");
  });

  it("authenticates writes that carry the X-Ferry-CSRF header or the server's own Origin", async () => {
    const cookie = await signIn();
    for (const extra of [CSRF, SAME_ORIGIN]) {
      const res = await h.app.inject({ method: "POST", url: "/v1/tokens", headers: { cookie, ...extra }, payload: { name: "ui" } });
      expect(res.statusCode).toBe(201);
    }
  });

  it("refuses writes with neither, or with another site's Origin, and changes nothing", async () => {
    const cookie = await signIn();
    const before = (await h.call({ method: "GET", url: "/v1/tokens" })).json().results.length;
    for (const headers of [{ cookie }, { cookie, origin: "https://evil.example" }, { cookie, origin: "null" }]) {
      const res = await h.app.inject({ method: "POST", url: "/v1/tokens", headers, payload: { name: "csrf" } });
      expect(res.statusCode).toBe(403);
      expect(res.headers["content-type"]).toContain("application/problem+json");
    }
    expect((await h.call({ method: "GET", url: "/v1/tokens" })).json().results.length).toBe(before);
  });

  it("does not let an invalid Authorization header fall back to the cookie", async () => {
    const cookie = await signIn();
    const res = await h.app.inject({ method: "GET", url: "/v1/account", headers: { cookie, authorization: "Bearer r8_wrong" } });
    expect(res.statusCode).toBe(401);
  });

  it("answers 401 for a cookie holding an unknown token", async () => {
    const res = await h.app.inject({ method: "GET", url: "/v1/account", headers: { cookie: "ferry_session=r8_forged" } });
    expect(res.statusCode).toBe(401);
  });

  it("stops working once its token is revoked", async () => {
    const created = (await h.call({ method: "POST", url: "/v1/tokens", payload: { name: "short-lived" } })).json();
    const cookie = await signIn(created.token);
    expect((await h.app.inject({ method: "GET", url: "/v1/account", headers: { cookie } })).statusCode).toBe(200);
    expect((await h.call({ method: "DELETE", url: `/v1/tokens/${created.id}` })).statusCode).toBe(204);
    expect((await h.app.inject({ method: "GET", url: "/v1/account", headers: { cookie } })).statusCode).toBe(401);
  });
});

describe("DELETE /auth/session", () => {
  it("clears the cookie", async () => {
    const res = await h.app.inject({ method: "DELETE", url: "/auth/session", headers: CSRF });
    expect(res.statusCode).toBe(204);
    const cookie = res.cookies.find((c) => c.name === "ferry_session");
    expect(cookie?.value).toBe("");
    expect(cookie?.expires?.getTime()).toBeLessThan(Date.now());
  });

  it("refuses a sign-out from another site", async () => {
    const res = await h.app.inject({ method: "DELETE", url: "/auth/session", headers: { origin: "https://evil.example" } });
    expect(res.statusCode).toBe(403);
  });
});
