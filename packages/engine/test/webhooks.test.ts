// Webhooks through the engine on a fake clock, delivered to a real HTTP receiver on 127.0.0.1: what each
// transition writes to the outbox, signing, the retry schedule with one webhook-id, re-sends, and a bounded stop.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { signWebhook } from "@ferry/core";
import type { Version, WebhookEvent } from "@ferry/core";
import { createEngineFixture, eventually, ITERATOR_OUTPUT } from "./support/engine-fixture.js";
import type { EngineFixture } from "./support/engine-fixture.js";
import { startReceiver } from "./support/webhook-receiver.js";
import type { Receiver } from "./support/webhook-receiver.js";

let fx: EngineFixture;
let receiver: Receiver;
let streaming: Version;

async function setUp(options: Parameters<typeof createEngineFixture>[0] = {}): Promise<void> {
  fx = await createEngineFixture(options);
  streaming = (await fx.register({ name: "llm", output: ITERATOR_OUTPUT })).version;
}

beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await fx.close();
  await receiver.close();
});

async function create(filter: WebhookEvent[] | null = null, path = "/hook?run=1") {
  const p = await fx.engine.predictions.create(fx.user, {
    target: { kind: "version", ref: streaming.id },
    input: { prompt: "hi" },
    webhook: `${receiver.url}${path}`,
    webhookEventsFilter: filter,
  });
  const claimed = await fx.engine.controlPlane.claim("runner-1", streaming.id);
  expect(claimed?.predictionId).toBe(p.id);
  return p.id;
}

const report = (id: string, event: Parameters<EngineFixture["engine"]["controlPlane"]["report"]>[2]) =>
  fx.engine.controlPlane.report("runner-1", id, event);

async function log(id: string) {
  return fx.engine.webhooks.deliveries(fx.user, id);
}

describe("what a prediction's transitions write to the outbox", () => {
  beforeEach(() => setUp());

  it("writes start at once, throttles output and logs, and writes completed with the terminal status", async () => {
    const id = await create();
    await report(id, { type: "started" });
    for (const chunk of ["1", "2", "3"]) {
      await report(id, { type: "output", chunk });
      await report(id, { type: "logs", text: `counted ${chunk}\n` });
    }
    await report(id, { type: "succeeded" });
    await fx.engine.webhooks.deliverDue();

    const deliveries = await log(id);
    // The clock never moved: one output message went out, the rest waited and the last state went with the end.
    expect(deliveries.map((d) => d.message.event)).toEqual(["start", "output", "logs", "completed"]);
    expect(deliveries.map((d) => d.message.durable)).toEqual([false, false, false, true]);
    const bodies = receiver.requests.map((r) => JSON.parse(r.body) as { status: string; output: unknown; logs: string });
    expect(bodies.map((b) => b.status)).toEqual(["processing", "processing", "processing", "succeeded"]);
    expect(bodies[1]!.output).toEqual(["1"]);
    expect(bodies[2]).toMatchObject({ output: ["1", "2", "3"], logs: "counted 1\ncounted 2\ncounted 3\n" });
    expect(bodies[3]!.output).toEqual(["1", "2", "3"]);
    expect(receiver.requests.every((r) => r.path === "/hook?run=1")).toBe(true);
  });

  it("writes only what webhook_events_filter asks for", async () => {
    const id = await create(["completed"]);
    await report(id, { type: "started" });
    await report(id, { type: "output", chunk: "1" });
    await report(id, { type: "failed", error: "boom" });
    const deliveries = await log(id);
    expect(deliveries.map((d) => d.message.event)).toEqual(["completed"]);
  });

  it("writes completed for a prediction canceled before it started", async () => {
    const id = await create(["start", "completed"]);
    await fx.engine.predictions.cancel(fx.user, id);
    expect((await log(id)).map((d) => d.message.event)).toEqual(["completed"]);
  });

  it("writes nothing for a prediction without a webhook", async () => {
    const p = await fx.engine.predictions.create(fx.user, { target: { kind: "version", ref: streaming.id }, input: { prompt: "hi" } });
    await fx.engine.controlPlane.claim("runner-1", streaming.id);
    await report(p.id, { type: "started" });
    await report(p.id, { type: "succeeded" });
    expect(await log(p.id)).toEqual([]);
    expect(await fx.engine.webhooks.deliverDue()).toBe(0);
  });

  it("keeps the completed message when the process stops right after the terminal write", async () => {
    const id = await create(["completed"]);
    await report(id, { type: "started" });
    await report(id, { type: "succeeded" });
    await fx.engine.stop();
    // Another API process on the same database finds it due and delivers it.
    const { engine } = fx.sibling();
    expect(await engine.webhooks.deliverDue()).toBe(1);
    expect(receiver.requests).toHaveLength(1);
    expect((await log(id))[0]?.message.status).toBe("delivered");
  });
});

describe("delivery", () => {
  beforeEach(() => setUp({ webhooks: { attemptTimeoutMs: 300, stopGraceMs: 200 } }));

  it("signs every delivery with the account's secret (Standard Webhooks) and logs the attempt", async () => {
    const id = await create(["completed"]);
    await report(id, { type: "started" });
    await report(id, { type: "succeeded" });
    expect(await fx.engine.webhooks.deliverDue()).toBe(1);

    const [request] = receiver.requests;
    const secret = await fx.engine.webhooks.secret(fx.user);
    expect(secret).toMatch(/^whsec_/);
    const messageId = String(request!.headers["webhook-id"]);
    const timestamp = Number(request!.headers["webhook-timestamp"]);
    expect(request!.method).toBe("POST");
    expect(request!.headers["content-type"]).toBe("application/json");
    expect(timestamp).toBe(Math.floor(fx.clock.now().getTime() / 1000));
    expect(request!.headers["webhook-signature"]).toBe(signWebhook(secret, messageId, timestamp, request!.body));

    const [delivery] = await log(id);
    expect(delivery!.message).toMatchObject({ id: messageId, status: "delivered", attempts: 1, lastStatusCode: 204, deliveredAt: fx.clock.iso() });
    expect(delivery!.attempts).toEqual([{ messageId, attempt: 1, at: fx.clock.iso(), statusCode: 204, error: null, durationMs: expect.any(Number) }]);
  });

  it("retries a failing completed delivery on the documented schedule with the same webhook-id, then gives up", async () => {
    receiver.answer(() => 500);
    const id = await create(["completed"]);
    await report(id, { type: "started" });
    await report(id, { type: "succeeded" });
    const retryAfterSeconds: number[] = [];
    expect(await fx.engine.webhooks.deliverDue()).toBe(1);
    for (;;) {
      const [delivery] = await log(id);
      if (delivery!.message.status !== "pending") break;
      const waitMs = Date.parse(delivery!.message.nextAttemptAt!) - fx.clock.now().getTime();
      retryAfterSeconds.push(waitMs / 1000);
      fx.clock.advance(waitMs - 1);
      expect(await fx.engine.webhooks.deliverDue()).toBe(0);
      fx.clock.advance(1);
      expect(await fx.engine.webhooks.deliverDue()).toBe(1);
    }
    expect(retryAfterSeconds).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512]);
    expect(new Set(receiver.requests.map((r) => r.headers["webhook-id"])).size).toBe(1);
    const timestamps = receiver.requests.map((r) => Number(r.headers["webhook-timestamp"]));
    expect(new Set(timestamps).size).toBe(11);
    const [delivery] = await log(id);
    expect(delivery!.message).toMatchObject({ status: "failed", attempts: 11, lastStatusCode: 500, nextAttemptAt: null });
    expect(delivery!.attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it("delivers on a later attempt once the receiver recovers", async () => {
    receiver.answer((_, index) => (index === 0 ? 503 : 200));
    const id = await create(["completed"]);
    await report(id, { type: "started" });
    await report(id, { type: "succeeded" });
    await fx.engine.webhooks.deliverDue();
    fx.clock.advance(1_000);
    await fx.engine.webhooks.deliverDue();
    expect(receiver.requests.map((r) => r.headers["webhook-id"])).toEqual([
      receiver.requests[0]!.headers["webhook-id"],
      receiver.requests[0]!.headers["webhook-id"],
    ]);
    const [delivery] = await log(id);
    expect(delivery!.message.status).toBe("delivered");
    expect(delivery!.attempts.map((a) => a.statusCode)).toEqual([503, 200]);
  });

  it("tries an intermediate message once", async () => {
    receiver.answer(() => 500);
    const id = await create(["start"]);
    await report(id, { type: "started" });
    await fx.engine.webhooks.deliverDue();
    fx.clock.advance(60_000);
    expect(await fx.engine.webhooks.deliverDue()).toBe(0);
    expect((await log(id))[0]!.message).toMatchObject({ event: "start", status: "failed", attempts: 1, body: null });
  });

  it("follows no redirect: a 3xx is a failed attempt", async () => {
    receiver.answer((request) => (request.path.startsWith("/moved") ? 200 : { redirect: "/moved" }));
    const id = await create(["completed"]);
    await report(id, { type: "started" });
    await report(id, { type: "succeeded" });
    await fx.engine.webhooks.deliverDue();
    expect(receiver.requests.map((r) => r.path)).toEqual(["/hook?run=1"]);
    expect((await log(id))[0]!.attempts[0]).toMatchObject({ statusCode: 302, error: "redirect not followed (location: /moved)" });
  });

  it("gives up on an attempt that gets no answer in time", async () => {
    receiver.answer(() => "hang");
    const id = await create(["completed"]);
    await report(id, { type: "started" });
    await report(id, { type: "succeeded" });
    await fx.engine.webhooks.deliverDue();
    expect((await log(id))[0]!.attempts[0]).toMatchObject({ statusCode: null, error: "no answer within 300 ms" });
  });

  it("records a receiver that is down", async () => {
    const id = await create(["completed"], "/hook");
    await receiver.close();
    await report(id, { type: "started" });
    await report(id, { type: "succeeded" });
    await fx.engine.webhooks.deliverDue();
    const [delivery] = await log(id);
    expect(delivery!.message.status).toBe("pending");
    expect(delivery!.attempts[0]!.error).toMatch(/ECONNREFUSED/);
    receiver = await startReceiver();
  });

  it("re-sends a failed message under the same id", async () => {
    receiver.answer(() => 500);
    const id = await create(["start"]);
    await report(id, { type: "started" });
    await fx.engine.webhooks.deliverDue();
    const [failed] = await log(id);
    expect(failed!.message.status).toBe("failed");

    receiver.answer(() => 200);
    const resent = await fx.engine.webhooks.resend(fx.user, id, failed!.message.id);
    expect(resent.message).toMatchObject({ id: failed!.message.id, status: "pending" });
    await fx.engine.webhooks.deliverDue();
    const [after] = await log(id);
    expect(after!.message).toMatchObject({ status: "delivered", attempts: 2 });
    expect(receiver.requests.map((r) => r.headers["webhook-id"])).toEqual([failed!.message.id, failed!.message.id]);
    // Its body was dropped when it failed; the re-send renders the prediction as it is now.
    expect(JSON.parse(receiver.requests[1]!.body)).toMatchObject({ id, status: "processing" });
  });

  it("shows the delivery log and re-sends only to the prediction's owner", async () => {
    const id = await create(["start"]);
    await report(id, { type: "started" });
    // An intermediate message is written just after the status write.
    await eventually(async () => (await log(id)).length === 1);
    const [delivery] = await log(id);
    await expect(fx.engine.webhooks.deliveries(fx.other, id)).rejects.toMatchObject({ code: "not_found" });
    await expect(fx.engine.webhooks.resend(fx.other, id, delivery!.message.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(fx.engine.webhooks.resend(fx.user, id, "msg_unknown")).rejects.toMatchObject({ code: "not_found" });
  });

  it("delivers without being asked once started: the sender wakes on a new message", async () => {
    await fx.engine.start();
    const id = await create(["completed"]);
    await report(id, { type: "started" });
    await report(id, { type: "succeeded" });
    await eventually(() => receiver.requests.length === 1, 5_000);
    await eventually(async () => (await log(id))[0]?.message.status === "delivered", 5_000);
  });

  it("stops within its grace period while a receiver hangs, leaving the message to the next process", async () => {
    receiver.answer(() => "hang");
    const id = await create(["completed"]);
    await report(id, { type: "started" });
    await report(id, { type: "succeeded" });
    await fx.engine.start();
    await eventually(() => receiver.requests.length === 1, 5_000);
    const started = Date.now();
    await fx.engine.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
    const [delivery] = await log(id);
    expect(delivery!.message).toMatchObject({ status: "pending", attempts: 0 });
    expect(delivery!.attempts).toEqual([]);
  });
});
