// Delivers prediction snapshots to webhooks in order per prediction: throttled, superseded events dropped,
// the terminal one retried with backoff (cog-protocol §1.11).
import type { PredictionSnapshot, WebhookEventType } from "./wire.js";
import { createWebhookAgents, postJson } from "./webhook-post.js";

export interface WebhookSenderOptions {
  /** Minimum gap between non-terminal deliveries of one prediction; 0 disables throttling. */
  throttleMs: number;
  /** Sent as `Authorization: Bearer <token>` when set. */
  authToken: string | null;
  /** Tries for the terminal delivery (default 12). */
  maxAttempts?: number;
  /** First retry delay, doubled each time (default 100 ms). */
  baseBackoffMs?: number;
  /** Per-request timeout (default 10 s). */
  requestTimeoutMs?: number;
}

/** The delivery queue of one prediction. */
export interface WebhookChannel {
  /** Something happened; `completed` means the snapshot is terminal. Snapshots are taken when a delivery starts. */
  notify(event: WebhookEventType): void;
  /**
   * Ends a hold (open() with `holdTerminal`): the terminal delivery goes out now or when it happens, unless
   * `deliveredElsewhere` says the caller already handed the terminal snapshot over (then it is not sent).
   */
  releaseTerminal(deliveredElsewhere: boolean): void;
}

export interface ChannelOptions {
  /** The terminal event waits for releaseTerminal() (non-terminal events go out as usual). */
  holdTerminal?: boolean;
}

export interface WebhookSender {
  open(url: string, filter: ReadonlySet<WebhookEventType>, snapshot: () => PredictionSnapshot, options?: ChannelOptions): WebhookChannel;
  /** Resolves once every channel has delivered (or given up on) its terminal event, or after `timeoutMs` (null: no limit). */
  flush(timeoutMs: number | null): Promise<void>;
  /** Closes pooled keep-alive sockets. */
  close(): void;
}

const RETRYABLE = new Set([429, 500, 502, 503, 504]);

export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const agents = createWebhookAgents();
  const headers: Record<string, string> = { "user-agent": "ferry-sdk/0.1.0" };
  if (options.authToken) headers["authorization"] = `Bearer ${options.authToken}`;
  const maxAttempts = options.maxAttempts ?? 12;
  const baseBackoffMs = options.baseBackoffMs ?? 100;
  const post = (url: URL, body: string) => postJson(url, body, { agents, headers, timeoutMs: options.requestTimeoutMs ?? 10_000 });
  const open = new Set<Promise<void>>();

  async function deliverTerminal(url: URL, body: string): Promise<void> {
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      try {
        const status = await post(url, body);
        if (!RETRYABLE.has(status)) return;
      } catch {
        // connection errors are retried like 5xx
      }
      if (attempt < maxAttempts - 1) await sleep(baseBackoffMs * 2 ** attempt);
    }
  }

  function openChannel(
    rawUrl: string,
    filter: ReadonlySet<WebhookEventType>,
    snapshot: () => PredictionSnapshot,
    channelOptions: ChannelOptions = {},
  ): WebhookChannel {
    const url = new URL(rawUrl);
    let held = channelOptions.holdTerminal === true;
    let busy = false;
    let pending = false;
    let terminal = false;
    let finished = false;
    let lastSentAt = -Infinity;
    let timer: NodeJS.Timeout | null = null;
    let markDone!: () => void;
    const done = new Promise<void>((resolve) => (markDone = resolve));
    open.add(done);
    void done.then(() => open.delete(done));

    const finish = () => {
      finished = true;
      markDone();
    };
    const pump = (): void => {
      if (busy || finished) return;
      if (terminal) {
        if (held) return;
        busy = true;
        if (!filter.has("completed")) return finish();
        void deliverTerminal(url, JSON.stringify(snapshot())).finally(finish);
        return;
      }
      if (!pending) return;
      const wait = lastSentAt + options.throttleMs - performance.now();
      if (wait > 0) {
        timer ??= setTimeout(() => {
          timer = null;
          pump();
        }, wait);
        return;
      }
      pending = false;
      busy = true;
      lastSentAt = performance.now();
      post(url, JSON.stringify(snapshot()))
        .catch(() => 0)
        .finally(() => {
          busy = false;
          pump();
        });
    };

    return {
      notify(event) {
        if (terminal || finished) return;
        if (event === "completed") {
          terminal = true;
          pending = false;
          if (timer) clearTimeout(timer);
          timer = null;
        } else if (filter.has(event)) {
          pending = true;
        } else {
          return;
        }
        pump();
      },
      releaseTerminal(deliveredElsewhere) {
        if (!held) return;
        held = false;
        if (deliveredElsewhere) {
          if (timer) clearTimeout(timer);
          timer = null;
          return finish();
        }
        pump();
      },
    };
  }

  return {
    open: openChannel,
    async flush(timeoutMs) {
      if (open.size === 0) return;
      if (timeoutMs === null) return void (await Promise.all([...open]));
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all([...open]),
        new Promise<void>((resolve) => (timeout = setTimeout(resolve, timeoutMs))),
      ]);
      clearTimeout(timeout);
    },
    close() {
      agents.destroy();
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
