// The webhook sender loop: wakes when a message is written and on a timer, claims due messages for a short
// window (so senders on other nodes skip them), and delivers them with bounded concurrency, one prediction's
// messages in the order they were written. Every attempt is logged; a failed completed message is due again
// per webhookRetryDelayMs with the same id. A message whose sender died is claimed again when its claim lapses.
import type { Clock, Logger, Store, WebhookMessage } from "@ferry/core";
import { afterAttempt } from "./decide.js";
import type { AttemptOutcome } from "./decide.js";
import type { PostWebhook } from "./deliver.js";

export interface WebhookSenderOptions {
  /** Attempts in flight at once. */
  concurrency: number;
  /** How often due messages are looked for without a wake-up (retries, other nodes' messages). */
  pollMs: number;
  /** How long a claim hides a message from other senders; longer than an attempt can take. */
  claimMs: number;
  /** Each attempt gets this long to answer. */
  attemptTimeoutMs: number;
  /** On stop, attempts in flight get this long before they are aborted (and left to the next process). */
  stopGraceMs: number;
}

export interface WebhookSenderDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  /** The JSON body of a message: its own, or the prediction rendered now; null when the prediction is gone. */
  bodyOf(message: WebhookMessage): Promise<string | null>;
  secretOf(accountId: string): Promise<string>;
  post: PostWebhook;
  options: WebhookSenderOptions;
}

export interface WebhookSender {
  /** Looks for due messages now (a message was just written). */
  wake(): void;
  /** Claims and delivers every message due now, and waits for those attempts; resolves with how many were tried. */
  deliverDue(): Promise<number>;
  start(): void;
  /** Stops claiming; waits for attempts in flight up to stopGraceMs, then aborts the rest. */
  stop(): Promise<void>;
}

export function createWebhookSender(deps: WebhookSenderDeps): WebhookSender {
  const { store, clock, log, bodyOf, secretOf, post, options } = deps;
  let timer: NodeJS.Timeout | null = null;
  let stopping = false;
  let abort = new AbortController();
  let pumping: Promise<void> | null = null;
  let wakeAgain = false;
  let inFlight = 0;
  /** The tail of each prediction's attempts: its next message waits for it. */
  const chains = new Map<string, Promise<void>>();

  function claim(limit: number): Promise<WebhookMessage[]> {
    const now = clock.now();
    return store.webhooks.claimDue(now.toISOString(), new Date(now.getTime() + options.claimMs).toISOString(), limit);
  }

  async function attempt(message: WebhookMessage): Promise<void> {
    if (stopping) return;
    const number = message.attempts + 1;
    const startedAt = clock.now();
    const body = await bodyOf(message);
    let outcome: AttemptOutcome & { durationMs: number };
    let durable = message.durable;
    if (body === null) {
      outcome = { statusCode: null, error: "the prediction no longer exists", durationMs: 0 };
      durable = false;
    } else {
      outcome = await post({
        url: message.url,
        messageId: message.id,
        timestampSeconds: Math.floor(startedAt.getTime() / 1000),
        body,
        secret: await secretOf(message.accountId),
        timeoutMs: options.attemptTimeoutMs,
        signal: abort.signal,
      });
      // Cut off by shutdown: nothing is recorded, and the next process sends it once the claim lapses.
      if (abort.signal.aborted) return;
    }
    const next = afterAttempt({ durable }, number, outcome, clock.now());
    await store.webhooks.recordAttempt(
      { messageId: message.id, attempt: number, at: startedAt.toISOString(), statusCode: outcome.statusCode, error: outcome.error, durationMs: outcome.durationMs },
      next,
    );
    if (next.status === "failed") {
      log.warn({ messageId: message.id, predictionId: message.predictionId, event: message.event, attempts: number, statusCode: outcome.statusCode, error: outcome.error }, "webhook delivery failed");
    }
  }

  function dispatch(message: WebhookMessage): void {
    inFlight += 1;
    const key = message.predictionId;
    const previous = chains.get(key) ?? Promise.resolve();
    const done: Promise<void> = previous
      .then(() => attempt(message))
      .catch((error: unknown) => log.error({ err: error, messageId: message.id }, "webhook attempt could not be recorded"))
      .finally(() => {
        inFlight -= 1;
        if (chains.get(key) === done) chains.delete(key);
        wake();
      });
    chains.set(key, done);
  }

  async function pump(): Promise<void> {
    while (!stopping) {
      const room = options.concurrency - inFlight;
      if (room <= 0) return;
      const batch = await claim(room);
      for (const message of batch) dispatch(message);
      if (batch.length < room) return;
    }
  }

  function wake(): void {
    // Before start() (and after stop()) only deliverDue() sends.
    if (stopping || timer === null) return;
    if (pumping !== null) {
      wakeAgain = true;
      return;
    }
    pumping = pump()
      .catch((error: unknown) => log.error({ err: error }, "webhook sender could not claim messages"))
      .finally(() => {
        pumping = null;
        if (wakeAgain) {
          wakeAgain = false;
          wake();
        }
      });
  }

  return {
    wake,
    async deliverDue() {
      let tried = 0;
      for (;;) {
        const batch = await claim(options.concurrency);
        if (batch.length === 0) return tried;
        for (const message of batch) dispatch(message);
        tried += batch.length;
        await Promise.all([...chains.values()]);
      }
    },
    start() {
      if (timer !== null) return;
      stopping = false;
      if (abort.signal.aborted) abort = new AbortController();
      timer = setInterval(() => wake(), options.pollMs);
      timer.unref();
      wake();
    },
    async stop() {
      stopping = true;
      if (timer !== null) clearInterval(timer);
      timer = null;
      await pumping;
      const settled = Promise.allSettled([...chains.values()]);
      let grace: NodeJS.Timeout | undefined;
      const inTime = await Promise.race([
        settled.then(() => true),
        new Promise<boolean>((resolve) => (grace = setTimeout(() => resolve(false), options.stopGraceMs))),
      ]);
      clearTimeout(grace);
      if (!inTime) {
        abort.abort();
        await settled;
      }
    },
  };
}
