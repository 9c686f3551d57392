// Webhooks in the engine: the decisions the prediction writer asks for (the completed message goes into the
// status write's transaction; start goes out at once; output/logs through the throttle), the sender loop, and
// the use cases behind the API (secret, delivery log, re-send).
import { FerryError, WEBHOOK_ATTEMPT_TIMEOUT_MS, WEBHOOK_THROTTLE_MS, isTerminal, isoNow } from "@ferry/core";
import type { Account, Clock, Logger, Prediction, PredictionEffect, PredictionPatch, Store, WebhookEvent, WebhookMessage } from "@ferry/core";
import { createBoundedMap } from "../bounded-map.js";
import type { Engine, EngineDeps, PredictionUpdate, WebhookDelivery } from "../engine-types.js";
import { createKeyedQueue } from "../keyed-queue.js";
import { isThrottled, newMessage, subscribedEvents } from "./decide.js";
import { postWebhook } from "./deliver.js";
import type { PostWebhook } from "./deliver.js";
import { createWebhookSender } from "./sender.js";
import type { WebhookSenderOptions } from "./sender.js";
import { createWebhookThrottle } from "./throttle.js";
import type { Timers } from "./throttle.js";

/** Bounds and timings of webhook delivery; every one has a default. */
export interface WebhookOptions extends Partial<WebhookSenderOptions> {
  /** Intermediate deliveries go out at most this often per prediction. Default WEBHOOK_THROTTLE_MS (500). */
  throttleMs?: number;
}

export const WEBHOOK_DEFAULTS: WebhookSenderOptions & { throttleMs: number } = {
  concurrency: 16,
  pollMs: 1_000,
  claimMs: 3 * WEBHOOK_ATTEMPT_TIMEOUT_MS,
  attemptTimeoutMs: WEBHOOK_ATTEMPT_TIMEOUT_MS,
  stopGraceMs: 2_000,
  throttleMs: WEBHOOK_THROTTLE_MS,
};

export interface WebhooksDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  signingKey: () => Promise<string>;
  renderPrediction?: EngineDeps["renderPrediction"];
  options?: WebhookOptions;
  /** Test seams: the throttle's timers and the HTTP attempt. */
  timers?: Timers;
  post?: PostWebhook;
}

export interface Webhooks {
  /**
   * Messages to write in the same transaction as this transition: on the terminal write, the completed message
   * (and an output/logs update the throttle still holds). Synchronous unless a held update must be rendered.
   */
  outbox(row: Prediction, patch: PredictionPatch, effects: readonly PredictionEffect[]): WebhookMessage[] | Promise<WebhookMessage[]>;
  /** After a write applied: `start` is written at once, `output`/`logs` through the throttle. */
  applied(update: PredictionUpdate): void;
  api: Engine["webhooks"];
  start(): void;
  stop(): Promise<void>;
}

const NONE: WebhookMessage[] = [];
const SECRET_CACHE_SIZE = 10_000;

export function createWebhooks(deps: WebhooksDeps): Webhooks {
  const { store, clock, log, signingKey, renderPrediction } = deps;
  const options = { ...WEBHOOK_DEFAULTS, ...definedOnly(deps.options ?? {}) };
  const secrets = createBoundedMap<string>(SECRET_CACHE_SIZE);
  const ordered = createKeyedQueue();
  const writes = new Set<Promise<void>>();
  let key: string | null = null;

  /** The body exactly as GET returns the prediction (the server's serializer), or the record itself without one. */
  function render(row: Prediction): string | Promise<string> {
    if (renderPrediction === undefined) return JSON.stringify(row);
    if (key !== null) return JSON.stringify(renderPrediction(row, key));
    return signingKey().then((loaded) => {
      key = loaded;
      return JSON.stringify(renderPrediction(row, loaded));
    });
  }

  async function secretOf(accountId: string): Promise<string> {
    const cached = secrets.get(accountId);
    if (cached !== undefined) return cached;
    const secret = await store.accounts.webhookSecret(accountId);
    secrets.set(accountId, secret);
    return secret;
  }

  const sender = createWebhookSender({
    store,
    clock,
    log,
    secretOf,
    post: deps.post ?? postWebhook,
    options,
    async bodyOf(message) {
      if (message.body != null) return message.body;
      const row = await store.predictions.get(message.predictionId);
      return row === null ? null : render(row);
    },
  });

  /** Writes an intermediate message now; one prediction's messages are written in the order of its events. */
  function enqueue(row: Prediction, event: WebhookEvent): void {
    const now = isoNow(clock);
    const write = ordered
      .run(row.id, async () => {
        await store.webhooks.enqueue([newMessage(row, event, now, await render(row))]);
        sender.wake();
      })
      .catch((error: unknown) => log.error({ err: error, predictionId: row.id, event }, "could not write a webhook message"))
      .finally(() => writes.delete(write));
    writes.add(write);
  }

  const throttle = createWebhookThrottle({
    clock,
    intervalMs: options.throttleMs,
    ...(deps.timers !== undefined ? { timers: deps.timers } : {}),
    send: (row, event) => enqueue(row, event),
  });

  async function ownPrediction(account: Account, predictionId: string): Promise<Prediction> {
    const row = await store.predictions.get(predictionId);
    if (row === null || row.accountId !== account.id) throw new FerryError("not_found");
    return row;
  }

  return {
    outbox(row, patch, effects) {
      if (row.webhook === null || !effects.some((e) => e.type === "webhook" && e.event === "completed")) return NONE;
      const next: Prediction = { ...row, ...patch };
      const now = isoNow(clock);
      const completed = subscribedEvents(next, effects).includes("completed") ? [newMessage(next, "completed", now, null)] : NONE;
      // The last output/logs update the throttle held goes out now, just before the completed message.
      const held = throttle.pending(next.id);
      if (held === null) return completed;
      const body = render(held.row);
      if (typeof body === "string") return [newMessage(held.row, held.event, now, body), ...completed];
      return body.then((text) => [newMessage(held.row, held.event, now, text), ...completed]);
    },

    applied({ prediction, effects }) {
      if (prediction.webhook === null) return;
      if (isTerminal(prediction.status)) {
        throttle.end(prediction.id);
        sender.wake();
        return;
      }
      for (const event of subscribedEvents(prediction, effects)) {
        if (isThrottled(event)) throttle.offer(prediction, event);
        else enqueue(prediction, event);
      }
    },

    api: {
      secret: (account) => secretOf(account.id),
      async deliveries(account, predictionId) {
        await ownPrediction(account, predictionId);
        return store.webhooks.listForPrediction(predictionId);
      },
      async resend(account, predictionId, messageId): Promise<WebhookDelivery> {
        await ownPrediction(account, predictionId);
        const message = await store.webhooks.get(messageId);
        if (message === null || message.predictionId !== predictionId) throw new FerryError("not_found", "Webhook message not found");
        await store.webhooks.requeue(messageId, isoNow(clock));
        sender.wake();
        const delivery = (await store.webhooks.listForPrediction(predictionId)).find((d) => d.message.id === messageId);
        if (delivery === undefined) throw new FerryError("not_found", "Webhook message not found");
        return delivery;
      },
      async deliverDue() {
        await Promise.allSettled([...writes]);
        return sender.deliverDue();
      },
    },

    start() {
      sender.start();
    },
    async stop() {
      throttle.stop();
      await Promise.allSettled([...writes]);
      await sender.stop();
    },
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
