// API tokens: list, create (value shown once), revoke (effective at once), and only ever the caller's own.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OTHER_TOKEN, startHarness } from "./support/harness.js";
import type { Harness } from "./support/harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe("/v1/tokens", () => {
  it("lists the bootstrap token without its value", async () => {
    const res = await h.call({ method: "GET", url: "/v1/tokens" });
    expect(res.statusCode).toBe(200);
    const [token] = res.json().results;
    expect(token).toEqual({ id: expect.any(String), name: "bootstrap", created_at: expect.any(String) });
  });

  it("creates a token whose value works once shown, and lists it without the value", async () => {
    const res = await h.call({ method: "POST", url: "/v1/tokens", payload: { name: "ci" } });
    expect(res.statusCode).toBe(201);
    const created = res.json();
    expect(created).toMatchObject({ name: "ci", token: expect.stringMatching(/^r8_/) });
    const account = await h.app.inject({ method: "GET", url: "/v1/account", headers: { authorization: `Bearer ${created.token}` } });
    expect(account.json().username).toBe("alice");
    const listed = (await h.call({ method: "GET", url: "/v1/tokens" })).json().results;
    expect(listed).toContainEqual({ id: created.id, name: "ci", created_at: created.created_at });
    expect(JSON.stringify(listed)).not.toContain(created.token);
  });

  it("revokes a token so that it is refused at once, even just after it was used", async () => {
    const created = (await h.call({ method: "POST", url: "/v1/tokens", payload: {} })).json();
    expect(created.name).toBe("token");
    const auth = { authorization: `Bearer ${created.token}` };
    expect((await h.app.inject({ method: "GET", url: "/v1/account", headers: auth })).statusCode).toBe(200);
    expect((await h.call({ method: "DELETE", url: `/v1/tokens/${created.id}` })).statusCode).toBe(204);
    expect((await h.app.inject({ method: "GET", url: "/v1/account", headers: auth })).statusCode).toBe(401);
  });

  it("answers 404 for another account's token and leaves it working", async () => {
    const bobs = (await h.call({ method: "POST", url: "/v1/tokens", payload: { name: "bob-ci" }, headers: { authorization: `Bearer ${OTHER_TOKEN}` } })).json();
    const res = await h.call({ method: "DELETE", url: `/v1/tokens/${bobs.id}` });
    expect(res.statusCode).toBe(404);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    const still = await h.app.inject({ method: "GET", url: "/v1/account", headers: { authorization: `Bearer ${bobs.token}` } });
    expect(still.json().username).toBe("bob");
  });

  it.each([[{ name: "" }], [{ name: 7 }], [{ name: "x".repeat(101) }], [[1]]])("answers 400 for a bad body %j", async (payload) => {
    const res = await h.call({ method: "POST", url: "/v1/tokens", payload });
    expect(res.statusCode).toBe(400);
  });
});
