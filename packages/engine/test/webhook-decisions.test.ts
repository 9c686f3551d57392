// The pure webhook decisions: which events a transition sends under each filter, and what each attempt's
// outcome does to a message (the retry schedule of the completed delivery included).
import { describe, expect, it } from "vitest";
import { WEBHOOK_EVENTS, WEBHOOK_MAX_RETRIES } from "@ferry/core";
import type { PredictionEffect, WebhookEvent } from "@ferry/core";
import { afterAttempt, newMessage, subscribedEvents } from "../src/webhooks/decide.js";

const ALL: PredictionEffect[] = WEBHOOK_EVENTS.map((event) => ({ type: "webhook", event }));
const at = (ms: number) => new Date(Date.UTC(2025, 0, 1) + ms);

describe("subscribedEvents", () => {
  it.each<[WebhookEvent[] | null, WebhookEvent[]]>([
    [null, ["start", "output", "logs", "completed"]],
    [[], ["start", "output", "logs", "completed"]],
    [["completed"], ["completed"]],
    [["start", "completed"], ["start", "completed"]],
    [["output"], ["output"]],
    [["logs", "output"], ["output", "logs"]],
  ])("with filter %j sends %j", (filter, expected) => {
    expect(subscribedEvents({ webhook: "https://example.com/hook", webhookEventsFilter: filter }, ALL)).toEqual(expected);
  });

  it("sends nothing for a prediction without a webhook", () => {
    expect(subscribedEvents({ webhook: null, webhookEventsFilter: null }, ALL)).toEqual([]);
  });

  it("ignores effects that are not webhooks", () => {
    const effects: PredictionEffect[] = [{ type: "stream", event: "output", data: "x" }, { type: "cancel_on_runner" }];
    expect(subscribedEvents({ webhook: "https://example.com/hook", webhookEventsFilter: null }, effects)).toEqual([]);
  });
});

describe("newMessage", () => {
  const prediction = { id: "p1", accountId: "a1", webhook: "https://example.com/hook?run=7" };

  it("makes the completed message durable, rendered at send time, and keeps the URL's query", () => {
    const message = newMessage(prediction, "completed", at(0).toISOString(), '{"ignored":true}');
    expect(message).toMatchObject({
      predictionId: "p1",
      accountId: "a1",
      event: "completed",
      url: "https://example.com/hook?run=7",
      status: "pending",
      durable: true,
      attempts: 0,
      nextAttemptAt: at(0).toISOString(),
      body: null,
    });
    expect(message.id).toMatch(/^msg_[A-Za-z0-9_-]{24}$/);
  });

  it("keeps the body an intermediate message reports, and tries it once", () => {
    expect(newMessage(prediction, "output", at(0).toISOString(), '{"output":[1]}')).toMatchObject({ durable: false, body: '{"output":[1]}' });
  });

  it("gives every message its own id", () => {
    const a = newMessage(prediction, "logs", at(0).toISOString(), "{}");
    const b = newMessage(prediction, "logs", at(0).toISOString(), "{}");
    expect(a.id).not.toBe(b.id);
  });
});

describe("afterAttempt", () => {
  const durable = { durable: true };

  it("marks any 2xx delivered", () => {
    for (const statusCode of [200, 201, 204, 299]) {
      expect(afterAttempt(durable, 1, { statusCode, error: null }, at(0))).toEqual({
        status: "delivered",
        nextAttemptAt: null,
        deliveredAt: at(0).toISOString(),
        lastStatusCode: statusCode,
        lastError: null,
      });
    }
  });

  it("retries the completed message after 1 s, 2 s, 4 s … 512 s, then gives up", () => {
    const delays: number[] = [];
    let attempt = 1;
    for (;;) {
      const next = afterAttempt(durable, attempt, { statusCode: 500, error: null }, at(0));
      if (next.status === "failed") break;
      expect(next.status).toBe("pending");
      delays.push(Date.parse(next.nextAttemptAt!) - at(0).getTime());
      attempt += 1;
    }
    expect(delays).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512].map((s) => s * 1000));
    expect(attempt).toBe(WEBHOOK_MAX_RETRIES + 1);
  });

  it.each([
    [{ statusCode: 302, error: "redirect not followed (location: /elsewhere)" }],
    [{ statusCode: 404, error: null }],
    [{ statusCode: null, error: "ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1" }],
  ])("counts %j as a failure", (outcome) => {
    expect(afterAttempt(durable, 1, outcome, at(0))).toMatchObject({ status: "pending", ...{ lastStatusCode: outcome.statusCode, lastError: outcome.error } });
  });

  it("fails an intermediate message after its one attempt", () => {
    expect(afterAttempt({ durable: false }, 1, { statusCode: 500, error: null }, at(0))).toMatchObject({ status: "failed", nextAttemptAt: null });
  });
});
