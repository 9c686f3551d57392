// Starts the Cog HTTP server for one model on node:http and wires shutdown.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { ModelDefinition } from "../define-model.js";
import { resolveServeOptions, type ServeOptions } from "./config.js";
import { createInstance } from "./instance.js";
import { createRequestHandler } from "./routes.js";
import { createWebhookSender } from "./webhook-sender.js";
import type { HealthBody } from "./wire.js";

/** A running model server. */
export interface ModelServer {
  /** The port it listens on (the real one when 0 was asked). */
  readonly port: number;
  /** Stops intake, cancels in-flight predictions, waits (bounded) for them and their webhooks, closes. Idempotent. */
  close(): Promise<void>;
  /** Resolves once the server has closed, by close() or after `POST /shutdown` drained in-flight predictions. */
  readonly closed: Promise<void>;
  /** Resolves once setup has ended, whether it succeeded or failed (health then says which). */
  readonly setupEnded: Promise<void>;
  /** Current `GET /health-check` body. */
  health(): HealthBody;
  /** Reports a fatal error: health DEFUNCT, in-flight predictions canceled, new ones refused. */
  markDefunct(reason: string): void;
}

/** How long close() waits for canceled predictions and terminal webhooks. */
const CLOSE_GRACE_MS = 5_000;

/**
 * Serves `def` over Cog's HTTP protocol. Resolves once listening; setup then runs in the background
 * (health STARTING → READY, or SETUP_FAILED).
 */
export function serveModel(def: ModelDefinition, options: ServeOptions): Promise<ModelServer> {
  return serveLoadedModel(() => Promise.resolve(def), options);
}

/** Like serveModel, but loading the model is part of setup, so an import error is reported as SETUP_FAILED. */
export async function serveLoadedModel(load: () => Promise<ModelDefinition>, options: ServeOptions): Promise<ModelServer> {
  const config = resolveServeOptions(options);
  const webhooks = createWebhookSender({ throttleMs: config.throttleIntervalMs, authToken: config.webhookAuthToken });
  const instance = createInstance({
    load,
    concurrency: config.concurrency > 0 ? config.concurrency : null,
    setupTimeoutMs: config.setupTimeoutMs,
    webhooks,
    echoLogs: config.echoLogs,
    files: { uploadUrl: config.uploadUrl, maxInputBytes: config.maxInputBytes, inputTimeoutMs: config.inputTimeoutMs },
  });
  let closing: Promise<void> | null = null;
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));

  const shutdown = (cancel: boolean, graceMs: number | null): Promise<void> => {
    closing ??= (async () => {
      await instance.drain({ cancel, graceMs });
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Responses already written get a moment to flush before lingering keep-alive sockets are cut.
        setTimeout(() => server.closeAllConnections(), 1_000).unref();
      });
      webhooks.close();
      markClosed();
    })();
    return closing;
  };

  const server = createServer(createRequestHandler(instance, { onShutdown: () => void shutdown(false, null) }));
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const setupEnded = instance.setup();

  return {
    port: (server.address() as AddressInfo).port,
    close: () => shutdown(true, CLOSE_GRACE_MS),
    closed,
    setupEnded,
    health: () => instance.health(),
    markDefunct: (reason) => instance.markDefunct(reason),
  };
}
