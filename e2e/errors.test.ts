// Error shapes the official client sees: 401, 404 and 422 as problem+json, with its exact ApiError messages.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Replicate from "replicate";
import type { ApiError } from "replicate";
import { removeDataDir, startServer, type RunningServer } from "./support/server.js";
import { clientFor } from "./support/client.js";

describe("errors through the official client", () => {
  let server: RunningServer;
  let replicate: Replicate;

  beforeAll(async () => {
    server = await startServer();
    replicate = clientFor(server);
  });

  afterAll(async () => {
    await server?.stop();
    if (server) removeDataDir(server.dataDir);
  });

  async function apiError(promise: Promise<unknown>): Promise<ApiError> {
    const error = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as Error | null)?.name).toBe("ApiError");
    return error as ApiError;
  }

  it("rejects a wrong token with 401 problem+json", async () => {
    const stranger = new Replicate({ auth: "r8_notARealToken", baseUrl: server.apiUrl });
    const error = await apiError(stranger.predictions.list());
    expect(error.response.status).toBe(401);
    expect(error.response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(error.message).toBe(
      `Request to ${server.apiUrl}/predictions failed with status 401 Unauthorized: ` +
        `{"title":"Unauthenticated","detail":"You did not pass a valid authentication token","status":401}.`,
    );
  });

  it("rejects a request without a token with 401", async () => {
    const response = await fetch(`${server.apiUrl}/account`);
    expect(response.status).toBe(401);
  });

  it("answers 404 for an unknown prediction and an unknown model", async () => {
    expect((await apiError(replicate.predictions.get("aaaaaaaaaaaaaaaaaaaaaaaaaa"))).response.status).toBe(404);
    const missing = await apiError(replicate.models.get("ferry", "no-such-model"));
    expect(missing.response.status).toBe(404);
    expect(missing.message).toMatch(/"status":404/);
  });

  it("answers 422 for an unknown version", async () => {
    const error = await apiError(
      replicate.predictions.create({ version: "0".repeat(64), input: { text: "x" } }),
    );
    expect(error.response.status).toBe(422);
    expect(error.message).toContain(
      `{"title":"Invalid version or not permitted","detail":"The specified version does not exist (or perhaps you don't have permission to use it?)","status":422}`,
    );
  });

  it("answers 422 with invalid_fields for input that fails the schema", async () => {
    const error = await apiError(replicate.predictions.create({ model: "ferry/count", input: { to: 0, delay_ms: "slow" } }));
    expect(error.response.status).toBe(422);
    const body = JSON.parse(error.message.slice(error.message.indexOf("{"), -1)) as {
      title: string;
      invalid_fields: { type: string; field: string; description: string }[];
    };
    expect(body.title).toBe("Input validation failed");
    expect(body.invalid_fields).toEqual(
      expect.arrayContaining([
        { type: "number_gte", field: "input.to", description: "Must be greater than or equal to 1" },
        expect.objectContaining({ type: "type", field: "input.delay_ms" }),
      ]),
    );
  });

  it("rejects the serialized-client input bug with 422 and never logs the token", async () => {
    const leaky = new Replicate({ auth: server.token, baseUrl: server.apiUrl, fileEncodingStrategy: "data-uri" });
    const error = await apiError(leaky.predictions.create({ model: "ferry/hello-world", input: { text: "x" } }));
    expect(error.response.status).toBe(422);
    expect(server.output()).not.toContain(server.token);
  });

  it("reads the account and the hardware list", async () => {
    expect(await replicate.accounts.current()).toMatchObject({ type: "user", username: "admin" });
    const hardware = await replicate.hardware.list();
    expect(hardware[0]).toEqual({ name: "CPU", sku: "cpu" });
  });

  it("finds models by search and lists them with their latest version", async () => {
    const found = await replicate.models.search("hello");
    expect(found.results.map((m) => `${m.owner}/${m.name}`)).toContain("ferry/hello-world");
    const all = await replicate.models.list();
    const count = all.results.find((m) => m.name === "count");
    expect(count?.latest_version?.openapi_schema).toMatchObject({
      components: { schemas: { Output: { type: "array", "x-cog-array-type": "iterator" } } },
    });
    const versions = await replicate.models.versions.list("ferry", "count");
    expect(versions.results[0]?.id).toBe(count?.latest_version?.id);
  });
});
