// Contract: the webhook outbox on every engine: the completed message is written with the terminal status or not
// at all, senders claim due messages exactly once, attempts are logged, and each account has one secret.
import { describe, expect, it } from "vitest";
import { newWebhookMessageId } from "@ferry/core";
import type { Store, WebhookMessage } from "@ferry/core";
import { aPrediction, anAccount, at, seedVersion } from "./support/fixtures.js";
import { STORE_FACTORIES } from "./support/store-factories.js";
import { useStore } from "./support/use-store.js";

function aMessage(predictionId: string, accountId: string, overrides: Partial<WebhookMessage> = {}): WebhookMessage {
  return {
    id: newWebhookMessageId(),
    predictionId,
    accountId,
    event: "completed",
    url: "https://example.com/hook?user=1",
    status: "pending",
    durable: true,
    attempts: 0,
    nextAttemptAt: at(200),
    lastStatusCode: null,
    lastError: null,
    body: null,
    createdAt: at(200),
    deliveredAt: null,
    ...overrides,
  };
}

async function seedPrediction(store: Store, status: "starting" | "processing" = "processing") {
  const { account, version } = await seedVersion(store);
  const prediction = await store.predictions.insert(aPrediction(version, account.id, { status, webhook: "https://example.com/hook" }));
  return { account, prediction };
}

describe.each(STORE_FACTORIES)("webhook outbox on $name", (factory) => {
  const t = useStore(factory);

  it("stores a message and reads every field back", async () => {
    const { account, prediction } = await seedPrediction(t.store);
    const message = aMessage(prediction.id, account.id, { event: "output", durable: false, body: '{"id":"x"}' });
    await t.store.webhooks.enqueue([message]);
    expect(await t.store.webhooks.get(message.id)).toEqual(message);
    expect(await t.store.webhooks.get("msg_unknown")).toBeNull();
  });

  describe("the transactional enqueue of predictions.update", () => {
    it("writes the messages when the status write applies", async () => {
      const { account, prediction } = await seedPrediction(t.store);
      const message = aMessage(prediction.id, account.id);
      const updated = await t.store.predictions.update(prediction.id, "processing", { status: "succeeded", completedAt: at(200) }, { enqueue: [message] });
      expect(updated).toMatchObject({ status: "succeeded", completedAt: at(200) });
      expect(await t.store.webhooks.get(message.id)).toEqual(message);
    });

    it("writes no message when the expected status is stale", async () => {
      const { account, prediction } = await seedPrediction(t.store);
      await t.store.predictions.update(prediction.id, "processing", { status: "canceled", completedAt: at(150) });
      const message = aMessage(prediction.id, account.id);
      const updated = await t.store.predictions.update(prediction.id, "processing", { status: "succeeded" }, { enqueue: [message] });
      expect(updated).toBeNull();
      expect(await t.store.webhooks.get(message.id)).toBeNull();
      expect(await t.store.predictions.get(prediction.id)).toMatchObject({ status: "canceled" });
    });

    it("leaves the status unchanged when the message cannot be written", async () => {
      const { account, prediction } = await seedPrediction(t.store);
      const taken = aMessage(prediction.id, account.id);
      await t.store.webhooks.enqueue([taken]);
      // A message id that already exists makes the insert fail inside the transaction.
      const clash = aMessage(prediction.id, account.id, { id: taken.id, event: "start" });
      await expect(
        t.store.predictions.update(prediction.id, "processing", { status: "succeeded", completedAt: at(200) }, { enqueue: [clash] }),
      ).rejects.toThrow();
      expect(await t.store.predictions.get(prediction.id)).toMatchObject({ status: "processing", completedAt: null });
      expect(await t.store.webhooks.get(taken.id)).toMatchObject({ event: "completed" });
    });

    it("lets exactly one of two racing terminal writes leave its message", async () => {
      const { account, prediction } = await seedPrediction(t.store);
      const a = aMessage(prediction.id, account.id);
      const b = aMessage(prediction.id, account.id);
      // On PostgreSQL the two run on two pooled connections; on SQLite one process has one writer.
      const results = await Promise.all([
        t.store.predictions.update(prediction.id, "processing", { status: "succeeded" }, { enqueue: [a] }),
        t.store.predictions.update(prediction.id, "processing", { status: "canceled" }, { enqueue: [b] }),
      ]);
      expect(results.filter((r) => r !== null)).toHaveLength(1);
      const written = (await t.store.webhooks.listForPrediction(prediction.id)).map((d) => d.message.id);
      expect(written).toEqual([results[0] !== null ? a.id : b.id]);
    });

    it("still batches plain updates beside a transactional one", async () => {
      const { account, version } = await seedVersion(t.store);
      const rows = await Promise.all(
        Array.from({ length: 6 }, () => t.store.predictions.insert(aPrediction(version, account.id, { status: "processing" }))),
      );
      const message = aMessage(rows[0]!.id, account.id);
      const results = await Promise.all(
        rows.map((row, i) =>
          t.store.predictions.update(row.id, "processing", { status: "succeeded" }, i === 0 ? { enqueue: [message] } : undefined),
        ),
      );
      expect(results.every((r) => r?.status === "succeeded")).toBe(true);
      expect(await t.store.webhooks.get(message.id)).not.toBeNull();
    });
  });

  describe("claimDue", () => {
    it("claims due pending messages in the order they were written and hides them until the claim lapses", async () => {
      const { account, prediction } = await seedPrediction(t.store);
      const first = aMessage(prediction.id, account.id, { nextAttemptAt: at(150) });
      const later = aMessage(prediction.id, account.id, { nextAttemptAt: at(500) });
      const done = aMessage(prediction.id, account.id, { status: "delivered", nextAttemptAt: null });
      const second = aMessage(prediction.id, account.id, { nextAttemptAt: at(100) });
      await t.store.webhooks.enqueue([first, later, done, second]);

      const claimed = await t.store.webhooks.claimDue(at(200), at(230), 10);
      expect(claimed.map((m) => m.id)).toEqual([first.id, second.id]);
      expect(claimed.every((m) => m.nextAttemptAt === at(230))).toBe(true);
      expect(await t.store.webhooks.claimDue(at(229), at(260), 10)).toEqual([]);
      // A sender that died holding the claim: the messages come back once it lapses.
      expect((await t.store.webhooks.claimDue(at(230), at(260), 10)).map((m) => m.id)).toEqual([first.id, second.id]);
    });

    it("takes at most `limit` messages, those due longest first", async () => {
      const { account, prediction } = await seedPrediction(t.store);
      const messages = Array.from({ length: 5 }, (_, i) => aMessage(prediction.id, account.id, { nextAttemptAt: at(110 - i) }));
      await t.store.webhooks.enqueue(messages);
      const firstBatch = await t.store.webhooks.claimDue(at(200), at(230), 3);
      expect(new Set(firstBatch.map((m) => m.id))).toEqual(new Set(messages.slice(2).map((m) => m.id)));
      expect(await t.store.webhooks.claimDue(at(200), at(230), 3)).toHaveLength(2);
    });

    it("gives each message to one of many concurrent claimers", async () => {
      const { account, prediction } = await seedPrediction(t.store);
      const messages = Array.from({ length: 60 }, (_, i) => aMessage(prediction.id, account.id, { nextAttemptAt: at(i) }));
      await t.store.webhooks.enqueue(messages);
      const stores = [t.store, await t.database.open(), await t.database.open()];
      const claimers = stores.flatMap((store) =>
        [0, 1].map(async () => {
          const ids: string[] = [];
          for (;;) {
            const batch = await store.webhooks.claimDue(at(100), at(130), 4);
            if (batch.length === 0) return ids;
            ids.push(...batch.map((m) => m.id));
          }
        }),
      );
      const claimed = (await Promise.all(claimers)).flat();
      expect(claimed).toHaveLength(messages.length);
      expect(new Set(claimed).size).toBe(messages.length);
    });
  });

  describe("recordAttempt and the delivery log", () => {
    it("logs every attempt and moves the message on; a finished message drops its body", async () => {
      const { account, prediction } = await seedPrediction(t.store);
      const message = aMessage(prediction.id, account.id, { body: '{"status":"processing"}' });
      const start = aMessage(prediction.id, account.id, { event: "start", durable: false });
      await t.store.webhooks.enqueue([start, message]);

      await t.store.webhooks.recordAttempt(
        { messageId: message.id, attempt: 1, at: at(200), statusCode: 500, error: null, durationMs: 12.4 },
        { status: "pending", nextAttemptAt: at(201), lastStatusCode: 500, lastError: null, deliveredAt: null },
      );
      expect(await t.store.webhooks.get(message.id)).toMatchObject({
        status: "pending",
        attempts: 1,
        nextAttemptAt: at(201),
        lastStatusCode: 500,
        body: '{"status":"processing"}',
      });
      await t.store.webhooks.recordAttempt(
        { messageId: message.id, attempt: 2, at: at(201), statusCode: null, error: "connect ECONNREFUSED", durationMs: 3 },
        { status: "pending", nextAttemptAt: at(203), lastStatusCode: null, lastError: "connect ECONNREFUSED", deliveredAt: null },
      );
      await t.store.webhooks.recordAttempt(
        { messageId: message.id, attempt: 3, at: at(203), statusCode: 204, error: null, durationMs: 5 },
        { status: "delivered", nextAttemptAt: null, lastStatusCode: 204, lastError: null, deliveredAt: at(203) },
      );

      const log = await t.store.webhooks.listForPrediction(prediction.id);
      expect(log.map((d) => d.message.id)).toEqual([start.id, message.id]);
      expect(log[0]!.attempts).toEqual([]);
      expect(log[1]!.message).toMatchObject({ status: "delivered", attempts: 3, nextAttemptAt: null, deliveredAt: at(203), body: null });
      expect(log[1]!.attempts).toEqual([
        { messageId: message.id, attempt: 1, at: at(200), statusCode: 500, error: null, durationMs: 12 },
        { messageId: message.id, attempt: 2, at: at(201), statusCode: null, error: "connect ECONNREFUSED", durationMs: 3 },
        { messageId: message.id, attempt: 3, at: at(203), statusCode: 204, error: null, durationMs: 5 },
      ]);
      expect(await t.store.webhooks.listForPrediction("unknown")).toEqual([]);
    });

    it("keeps the first record of an attempt number when two senders overlapped", async () => {
      const { account, prediction } = await seedPrediction(t.store);
      const message = aMessage(prediction.id, account.id);
      await t.store.webhooks.enqueue([message]);
      const next = { status: "pending" as const, nextAttemptAt: at(300), lastStatusCode: 500, lastError: null, deliveredAt: null };
      await t.store.webhooks.recordAttempt({ messageId: message.id, attempt: 1, at: at(200), statusCode: 500, error: null, durationMs: 1 }, next);
      await t.store.webhooks.recordAttempt({ messageId: message.id, attempt: 1, at: at(201), statusCode: 502, error: null, durationMs: 1 }, next);
      const [delivery] = await t.store.webhooks.listForPrediction(prediction.id);
      expect(delivery!.attempts.map((a) => a.statusCode)).toEqual([500]);
    });

    it("requeues a failed message under the same id, due now", async () => {
      const { account, prediction } = await seedPrediction(t.store);
      const message = aMessage(prediction.id, account.id, { status: "failed", nextAttemptAt: null, attempts: 11 });
      await t.store.webhooks.enqueue([message]);
      expect(await t.store.webhooks.requeue(message.id, at(900))).toBe(true);
      expect(await t.store.webhooks.get(message.id)).toMatchObject({ status: "pending", nextAttemptAt: at(900), attempts: 11 });
      expect((await t.store.webhooks.claimDue(at(900), at(930), 10)).map((m) => m.id)).toEqual([message.id]);
      expect(await t.store.webhooks.requeue("msg_unknown", at(900))).toBe(false);
    });
  });

  describe("accounts.webhookSecret", () => {
    it("makes one whsec_ secret per account on first use and returns it ever after", async () => {
      const alice = await t.store.accounts.create(anAccount());
      const bob = await t.store.accounts.create(anAccount());
      const other = await t.database.open();
      const [a1, a2, a3] = await Promise.all([
        t.store.accounts.webhookSecret(alice.id),
        other.accounts.webhookSecret(alice.id),
        t.store.accounts.webhookSecret(alice.id),
      ]);
      expect(a1).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
      expect(a2).toBe(a1);
      expect(a3).toBe(a1);
      expect(await t.store.accounts.webhookSecret(bob.id)).not.toBe(a1);
      expect(await t.store.accounts.findById(alice.id)).toEqual(alice);
    });

    it("refuses an unknown account", async () => {
      await expect(t.store.accounts.webhookSecret("nobody")).rejects.toThrow();
    });
  });
});
