// The webhook routes and bodies: the account's secret, bodies that are exactly GET's JSON and pass the official
// client's validateWebhook, the legacy webhook_completed field, the delivery log and re-sends.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { validateWebhook } from "replicate";
import type { PredictionEvent, PredictionJSON } from "@ferry/core";
import { OTHER_TOKEN, startHarness } from "./support/harness.js";
import type { Harness } from "./support/harness.js";
import { STREAMER_SCHEMA, registerTestModel } from "./support/models.js";
import { startWebhookReceiver } from "./support/webhook-receiver.js";
import type { WebhookReceiver } from "./support/webhook-receiver.js";

let h: Harness;
let receiver: WebhookReceiver;
let models = 0;

beforeAll(async () => {
  h = await startHarness();
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await h.close();
  await receiver.close();
});
beforeEach(() => {
  receiver.received.length = 0;
  receiver.answerWith(204);
});

async function create(body: Record<string, unknown>): Promise<PredictionJSON> {
  const version = (await registerTestModel(h.engine, { name: `hooked-${++models}`, schema: STREAMER_SCHEMA })).version.id;
  const res = await h.call({ method: "POST", url: "/v1/predictions", payload: { version, input: { text: "hi" }, ...body } });
  expect(res.statusCode).toBe(201);
  return res.json<PredictionJSON>();
}

async function run(prediction: PredictionJSON, events: PredictionEvent[]): Promise<void> {
  expect((await h.engine.controlPlane.claim("test-runner", prediction.version))?.predictionId).toBe(prediction.id);
  for (const event of events) await h.engine.controlPlane.report("test-runner", prediction.id, event);
}

async function secret(token?: string): Promise<string> {
  const res = await h.call({ method: "GET", url: "/v1/webhooks/default/secret", ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}) });
  expect(res.statusCode).toBe(200);
  return res.json<{ key: string }>().key;
}

describe("GET /v1/webhooks/default/secret", () => {
  it("gives each account one whsec_ secret in standard base64", async () => {
    const key = await secret();
    expect(key).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(await secret()).toBe(key);
    expect(await secret(OTHER_TOKEN)).not.toBe(key);
  });

  it("needs a token", async () => {
    const res = await h.app.inject({ method: "GET", url: "/v1/webhooks/default/secret" });
    expect(res.statusCode).toBe(401);
  });
});

describe("webhook deliveries", () => {
  it("sends GET's JSON, signed so that the official client's validateWebhook accepts it", async () => {
    const prediction = await create({ webhook: `${receiver.url}/hook?user=42`, webhook_events_filter: ["start", "completed"] });
    await run(prediction, [{ type: "started" }, { type: "output", chunk: "a" }, { type: "succeeded" }]);
    await h.engine.webhooks.deliverDue();

    expect(receiver.received.map((r) => r.path)).toEqual(["/hook?user=42", "/hook?user=42"]);
    const key = await secret();
    for (const request of receiver.received) {
      const headers = new Headers(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
      const asReceived = (body: string) => new Request(`${receiver.url}${request.path}`, { method: "POST", headers, body });
      expect(await validateWebhook(asReceived(request.body), key)).toBe(true);
      expect(await validateWebhook(asReceived(request.body.replace("hi", "ho")), key)).toBe(false);
    }
    const got = (await h.call({ method: "GET", url: `/v1/predictions/${prediction.id}` })).json<PredictionJSON>();
    expect(JSON.parse(receiver.received[1]!.body)).toEqual(got);
    expect(got.urls.stream).toBeDefined();
    expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({ id: prediction.id, status: "processing", output: null });
  });

  it("treats legacy webhook_completed as a webhook filtered to completed", async () => {
    const prediction = await create({ webhook_completed: `${receiver.url}/done` });
    expect(prediction).toMatchObject({ webhook: `${receiver.url}/done`, webhook_events_filter: ["completed"] });
    await run(prediction, [{ type: "started" }, { type: "logs", text: "x\n" }, { type: "succeeded" }]);
    await h.engine.webhooks.deliverDue();
    expect(receiver.received).toHaveLength(1);
    expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({ status: "succeeded" });
  });
});

describe("the delivery log and re-sends", () => {
  it("lists every message with its attempts, and re-sends a failed one under the same id", async () => {
    receiver.answerWith(500);
    const prediction = await create({ webhook: `${receiver.url}/hook`, webhook_events_filter: ["start"] });
    await run(prediction, [{ type: "started" }]);
    await h.engine.webhooks.deliverDue();

    const log = await h.call({ method: "GET", url: `/v1/predictions/${prediction.id}/webhooks` });
    expect(log.statusCode).toBe(200);
    const [entry] = log.json<{ results: Record<string, unknown>[] }>().results;
    expect(entry).toEqual({
      id: expect.stringMatching(/^msg_/),
      event: "start",
      url: `${receiver.url}/hook`,
      status: "failed",
      attempts: [{ attempt: 1, at: expect.any(String), status_code: 500, error: null, duration_ms: expect.any(Number) }],
      created_at: expect.any(String),
      delivered_at: null,
      next_attempt_at: null,
    });

    receiver.answerWith(200);
    const resend = await h.call({
      method: "POST",
      url: `/v1/predictions/${prediction.id}/webhooks/${String(entry!.id)}/resend`,
      headers: { "content-type": "application/json", "content-length": "0" },
    });
    expect(resend.statusCode).toBe(202);
    expect(resend.json()).toMatchObject({ id: entry!.id, status: "pending" });
    await h.engine.webhooks.deliverDue();
    expect(receiver.received.map((r) => r.headers["webhook-id"])).toEqual([entry!.id, entry!.id]);
    const after = (await h.call({ method: "GET", url: `/v1/predictions/${prediction.id}/webhooks` })).json<{ results: { status: string; attempts: unknown[] }[] }>();
    expect(after.results[0]).toMatchObject({ status: "delivered", attempts: [{ status_code: 500 }, { status_code: 200 }] });
  });

  it("answers 404 for others' predictions, unknown predictions and unknown messages", async () => {
    const prediction = await create({ webhook: `${receiver.url}/hook` });
    const asBob = await h.call({ method: "GET", url: `/v1/predictions/${prediction.id}/webhooks`, headers: { authorization: `Bearer ${OTHER_TOKEN}` } });
    expect(asBob.statusCode).toBe(404);
    expect((await h.call({ method: "GET", url: "/v1/predictions/nope/webhooks" })).statusCode).toBe(404);
    const unknown = await h.call({ method: "POST", url: `/v1/predictions/${prediction.id}/webhooks/msg_nope/resend` });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ detail: "Webhook message not found" });
  });

  it("lists nothing for a prediction without webhooks", async () => {
    const prediction = await create({});
    const res = await h.call({ method: "GET", url: `/v1/predictions/${prediction.id}/webhooks` });
    expect(res.json()).toEqual({ results: [] });
  });
});
