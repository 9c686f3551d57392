// One model instance's state: setup lifecycle, prediction slots, in-flight predictions, health and draining.
import { randomUUID } from "node:crypto";
import type { ModelDefinition } from "../define-model.js";
import { modelFiles } from "../files/prediction-files.js";
import type { FileSettings, ModelFiles } from "../files/prediction-files.js";
import { openapiSchema } from "../openapi/openapi-schema.js";
import { echoToStdout, runWithLogSink } from "./log-capture.js";
import { startPrediction, type RunningPrediction } from "./prediction.js";
import type { PredictionRequest } from "./validation.js";
import type { WebhookSender } from "./webhook-sender.js";
import type { HealthBody, HealthStatus, PredictionSnapshot, SetupStatus } from "./wire.js";

export interface InstanceOptions {
  /** Imports the model; runs as the first part of setup, so an import error is SETUP_FAILED. */
  load(): Promise<ModelDefinition>;
  /** Overrides the model's own concurrency (COG_MAX_CONCURRENCY). */
  concurrency: number | null;
  /** Setup fails when it takes longer (null: no limit). */
  setupTimeoutMs: number | null;
  webhooks: WebhookSender;
  echoLogs: boolean;
  /** Where output files go and the limits on file inputs. */
  files: FileSettings;
}

export type StartOutcome =
  /** `releaseTerminal` ends a `holdTerminal` (see WebhookChannel.releaseTerminal); a no-op otherwise. */
  | { kind: "started"; prediction: RunningPrediction; releaseTerminal(deliveredElsewhere: boolean): void }
  | { kind: "in_flight"; prediction: RunningPrediction }
  | { kind: "busy" }
  | { kind: "unavailable"; reason: string };

export interface Instance {
  /** Runs setup once (load, schema, the model's setup); resolves when it has succeeded or failed. */
  setup(): Promise<void>;
  /** The model, once loaded (null before, or when loading failed). */
  model(): ModelDefinition | null;
  health(): HealthBody;
  /** The OpenAPI document as JSON text, once the model is loaded. */
  openapiJson(): string | null;
  /** Why new predictions are refused right now (setup, defunct, shutdown), or null when they are accepted. */
  unavailable(): string | null;
  find(id: string): RunningPrediction | undefined;
  /** Starts a validated prediction unless the id is in flight or every slot is busy. */
  start(request: PredictionRequest, input: Record<string, unknown>, options?: { holdTerminal?: boolean }): StartOutcome;
  /** Signals cancel; false when the id is not in flight. */
  cancel(id: string): boolean;
  /** Stops intake; optionally cancels in-flight work; waits (bounded) for predictions and their webhooks. */
  drain(options: { cancel: boolean; graceMs: number | null }): Promise<void>;
  /** A fatal error: health DEFUNCT, in-flight predictions canceled, no new ones. */
  markDefunct(reason: string): void;
}

export function createInstance(options: InstanceOptions): Instance {
  let def: ModelDefinition | null = null;
  let openapi: string | null = null;
  let files: ModelFiles | null = null;
  let concurrency = 1;
  let setupStatus: SetupStatus | null = null;
  let setupStartedAt = "";
  let setupCompletedAt: string | null = null;
  let setupLogs = "";
  let defunct: string | null = null;
  let draining = false;
  const inFlight = new Map<string, RunningPrediction>();

  async function runSetup(): Promise<void> {
    const log = (msg: string) => {
      setupLogs += `${msg}\n`;
      if (options.echoLogs) echoToStdout(`${msg}\n`);
    };
    const loaded = await options.load();
    def = loaded;
    const schema = openapiSchema(loaded);
    openapi = JSON.stringify(schema);
    files = modelFiles(schema, options.files);
    concurrency = options.concurrency ?? loaded.concurrency;
    await loaded.setup?.({ log });
  }

  function status(): HealthStatus {
    if (defunct !== null) return "DEFUNCT";
    if (setupStatus === "failed") return "SETUP_FAILED";
    if (setupStatus !== "succeeded") return "STARTING";
    return inFlight.size >= concurrency ? "BUSY" : "READY";
  }

  return {
    async setup() {
      if (setupStatus !== null) return;
      setupStatus = "starting";
      setupStartedAt = new Date().toISOString();
      const sink = { append: (text: string) => void (setupLogs += text) };
      try {
        await runWithLogSink(sink, () => withTimeout(runSetup(), options.setupTimeoutMs));
        setupStatus = "succeeded";
      } catch (error) {
        setupStatus = "failed";
        setupLogs += `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`;
      }
      setupCompletedAt = new Date().toISOString();
    },
    model: () => def,
    health() {
      const body: HealthBody = {
        status: status(),
        setup:
          setupStatus === null
            ? null
            : { started_at: setupStartedAt, completed_at: setupCompletedAt, status: setupStatus, logs: setupLogs },
      };
      if (defunct !== null) body.error = defunct;
      return body;
    },
    openapiJson: () => openapi,
    unavailable() {
      if (defunct !== null) return `Instance is defunct: ${defunct}`;
      if (setupStatus === "failed") return "Setup failed";
      if (setupStatus !== "succeeded") return "Setup has not finished yet";
      if (draining) return "Shutting down";
      return null;
    },
    find: (id) => inFlight.get(id),
    start(request, input, startOptions = {}) {
      const reason = this.unavailable();
      if (reason !== null || def === null || files === null) return { kind: "unavailable", reason: reason ?? "Model not loaded" };
      const existing = request.id === null ? undefined : inFlight.get(request.id);
      if (existing) return { kind: "in_flight", prediction: existing };
      if (inFlight.size >= concurrency) return { kind: "busy" };
      const id = request.id ?? `pred_${randomUUID().replaceAll("-", "")}`;
      let state: PredictionSnapshot | null = null;
      const snapshot = () => state!;
      const channel = request.webhook
        ? options.webhooks.open(request.webhook, request.webhookEventsFilter, snapshot, { holdTerminal: startOptions.holdTerminal === true })
        : null;
      const prediction = startPrediction({
        def,
        files,
        id,
        input,
        createdAt: request.createdAt,
        echoLogs: options.echoLogs,
        onEvent: (event, current) => {
          state = current;
          if (event === "completed") inFlight.delete(id);
          channel?.notify(event);
        },
      });
      inFlight.set(id, prediction);
      return { kind: "started", prediction, releaseTerminal: (deliveredElsewhere) => channel?.releaseTerminal(deliveredElsewhere) };
    },
    cancel(id) {
      const prediction = inFlight.get(id);
      if (!prediction) return false;
      prediction.cancel();
      return true;
    },
    async drain({ cancel, graceMs }) {
      draining = true;
      const running = [...inFlight.values()];
      if (cancel) for (const prediction of running) prediction.cancel();
      const deadline = graceMs === null ? null : Date.now() + graceMs;
      await withTimeout(Promise.all(running.map((p) => p.done)), graceMs).catch(() => undefined);
      await options.webhooks.flush(deadline === null ? null : Math.max(0, deadline - Date.now()));
    },
    markDefunct(reason) {
      if (defunct !== null) return;
      defunct = reason;
      for (const prediction of inFlight.values()) prediction.cancel();
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number | null): Promise<T> {
  if (ms === null) return promise;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
