// Reading predictions back as the official clients do: get, cancel (empty JSON body) and the paged list.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PUBLIC_URL, startHarness } from "./support/harness.js";
import type { Harness } from "./support/harness.js";
import { registerTestModel } from "./support/models.js";

let h: Harness;
let versionId: string;
beforeAll(async () => {
  h = await startHarness();
  versionId = (await registerTestModel(h.engine, { name: "greeter" })).version.id;
});
afterAll(() => h.close());

describe("GET and cancel", () => {
  it("gets a prediction with the JSON content type and no body, as the JS client sends it", async () => {
    const created = await h.call({ method: "POST", url: "/v1/predictions", payload: { version: versionId, input: { text: "x" } } });
    const id = created.json<{ id: string }>().id;
    const res = await h.call({ method: "GET", url: `/v1/predictions/${id}`, headers: { "content-type": "application/json" } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(created.json());
  });

  it("cancels with an empty JSON body, and a second cancel returns it unchanged", async () => {
    const created = await h.call({ method: "POST", url: "/v1/predictions", payload: { version: versionId, input: { text: "x" } } });
    const id = created.json<{ id: string }>().id;
    const cancel = () =>
      h.call({ method: "POST", url: `/v1/predictions/${id}/cancel`, headers: { "content-type": "application/json", "content-length": "0" } });
    const first = await cancel();
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ id, status: "canceled", output: null, metrics: expect.any(Object) });
    expect(first.json<{ completed_at: string | null }>().completed_at).not.toBeNull();
    const second = await cancel();
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual(first.json());
  });
});

describe("GET /v1/predictions", () => {
  it("pages 100 at a time with an absolute next URL that keeps the filters", async () => {
    const fresh = await startHarness();
    try {
      const version = (await registerTestModel(fresh.engine, { name: "greeter" })).version.id;
      for (let i = 0; i < 101; i++) {
        const res = await fresh.call({ method: "POST", url: "/v1/predictions", payload: { version, input: { text: `n${i}` } } });
        expect(res.statusCode).toBe(201);
      }
      const first = await fresh.call({ method: "GET", url: "/v1/predictions?source=api" });
      expect(first.statusCode).toBe(200);
      const page = first.json<{ previous: null; next: string; results: { input: { text: string } }[] }>();
      expect(Object.keys(page)).toEqual(["previous", "next", "results"]);
      expect(page.results).toHaveLength(100);
      expect(page.results[0]!.input.text).toBe("n100");
      expect(page.previous).toBeNull();
      const next = new URL(page.next);
      expect(next.origin + next.pathname).toBe(`${PUBLIC_URL}/v1/predictions`);
      expect(next.searchParams.get("source")).toBe("api");
      expect(next.searchParams.get("cursor")).toBeTruthy();

      const second = await fresh.call({ method: "GET", url: next.pathname + next.search });
      const last = second.json<{ next: string | null; results: { input: { text: string } }[] }>();
      expect(last.results.map((r) => r.input.text)).toEqual(["n0"]);
      expect(last.next).toBeNull();
    } finally {
      await fresh.close();
    }
  });

  it("filters by creation time and rejects a time that is not one", async () => {
    const future = await h.call({ method: "GET", url: "/v1/predictions?created_after=2999-01-01T00:00:00Z" });
    expect(future.json()).toEqual({ previous: null, next: null, results: [] });
    const bad = await h.call({ method: "GET", url: "/v1/predictions?created_before=yesterday" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ detail: "created_before must be an ISO-8601 date-time" });
  });

  it("lists only the caller's predictions", async () => {
    const res = await h.app.inject({
      method: "GET",
      url: "/v1/predictions",
      headers: { authorization: "Bearer r8_bob_token_0123456789abcdefghijklmnopqrs" },
    });
    expect(res.json()).toEqual({ previous: null, next: null, results: [] });
  });
});
