// Data retention at the edge: PATCH /v1/account {"data_retention"} (a Ferry extension) and FERRY_DATA_RETENTION.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../src/config.js";
import { startHarness } from "./support/harness.js";
import type { Harness } from "./support/harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const patch = (payload: unknown) => h.call({ method: "PATCH", url: "/v1/account", payload: payload as object });

describe("PATCH /v1/account", () => {
  it("sets the retention in seconds, forever or back to the server default, and answers with the account", async () => {
    const seconds = await patch({ data_retention: 600 });
    expect(seconds.statusCode).toBe(200);
    expect(seconds.json()).toEqual({ type: "user", username: "alice", name: "alice", data_retention: 600 });
    expect(await h.engine.retention.get(h.account)).toEqual({ seconds: 600, effectiveSeconds: 600 });

    expect((await patch({ data_retention: "forever" })).json()).toMatchObject({ data_retention: "forever" });
    expect(await h.engine.retention.get(h.account)).toMatchObject({ seconds: -1 });

    expect((await patch({ data_retention: null })).json()).toMatchObject({ data_retention: null });
    expect(await h.engine.retention.get(h.account)).toEqual({ seconds: null, effectiveSeconds: 3600 });
  });

  it("only reads the setting when the body does not name it", async () => {
    await patch({ data_retention: 60 });
    expect((await h.call({ method: "PATCH", url: "/v1/account" })).json()).toMatchObject({ data_retention: 60 });
    expect((await patch({ name: "ignored" })).json()).toMatchObject({ username: "alice", data_retention: 60 });
  });

  it("refuses anything but whole seconds, \"forever\" or null, and changes nothing", async () => {
    await patch({ data_retention: 60 });
    for (const bad of [-5, 1.5, "soon", "60", true, { seconds: 1 }]) {
      const res = await patch({ data_retention: bad });
      expect(res.statusCode).toBe(400);
      expect(res.headers["content-type"]).toContain("application/problem+json");
      expect(res.json()).toMatchObject({ detail: expect.stringContaining("data_retention") });
    }
    expect(await h.engine.retention.get(h.account)).toMatchObject({ seconds: 60 });
  });

  it("needs a token like every other /v1 route", async () => {
    const res = await h.app.inject({ method: "PATCH", url: "/v1/account", payload: { data_retention: 1 } });
    expect(res.statusCode).toBe(401);
  });

  it("leaves GET /v1/account as the clients know it", async () => {
    expect((await h.call({ method: "GET", url: "/v1/account" })).json()).toEqual({ type: "user", username: "alice", name: "alice" });
  });
});

describe("FERRY_DATA_RETENTION", () => {
  it("defaults to an hour, takes seconds, and -1 or forever keeps data", () => {
    expect(parseConfig({}).dataRetentionSeconds).toBe(3600);
    expect(parseConfig({ FERRY_DATA_RETENTION: "0" }).dataRetentionSeconds).toBe(0);
    expect(parseConfig({ FERRY_DATA_RETENTION: "86400" }).dataRetentionSeconds).toBe(86400);
    expect(parseConfig({ FERRY_DATA_RETENTION: "-1" }).dataRetentionSeconds).toBe(-1);
    expect(parseConfig({ FERRY_DATA_RETENTION: "forever" }).dataRetentionSeconds).toBe(-1);
  });

  it("rejects anything else with a clear message", () => {
    for (const bad of ["1h", "-2", "1.5", "never"]) {
      expect(() => parseConfig({ FERRY_DATA_RETENTION: bad })).toThrow(ConfigError);
      expect(() => parseConfig({ FERRY_DATA_RETENTION: bad })).toThrow(/FERRY_DATA_RETENTION/);
    }
  });

  it("sweeps every FERRY_RETENTION_SWEEP_INTERVAL seconds, a minute by default", () => {
    expect(parseConfig({}).retentionSweepMs).toBe(60_000);
    expect(parseConfig({ FERRY_RETENTION_SWEEP_INTERVAL: "5" }).retentionSweepMs).toBe(5_000);
  });
});
