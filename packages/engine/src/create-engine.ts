// The engine's composition: one store, one clock, the caches and the background loops behind the Engine API.
import { randomBytes } from "node:crypto";
import { silentLogger, systemClock } from "@ferry/core";
import { createAccounts } from "./accounts.js";
import type { BackgroundLoops } from "./background-loops.js";
import { createBackgroundLoops } from "./background-loops.js";
import { createCatalog } from "./catalog.js";
import { createControlPlane } from "./control-plane.js";
import { createDataRetention } from "./data-retention.js";
import type { Engine, EngineDeps } from "./engine-types.js";
import { createFileInputs } from "./file-inputs.js";
import { createInputValidator } from "./input-validator.js";
import { createModels } from "./models.js";
import { createOutputFiles } from "./output-files.js";
import { createPredictionBus } from "./prediction-bus.js";
import { createPredictionWriter } from "./prediction-writer.js";
import { createPredictions } from "./predictions.js";
import { createRetentionSweeper } from "./retention-sweeper.js";
import { createRunnerSignals } from "./runner-signals.js";
import { createStreamHub } from "./stream-hub.js";
import { createWebhooks } from "./webhooks/create-webhooks.js";

const DEFAULTS = {
  leaseMs: 30_000,
  deadlineSweepMs: 250,
  leaseSweepMs: 5_000,
  recoverOrphansOnStart: false,
  dataRetentionSeconds: 3_600,
  retentionSweepMs: 60_000,
  retentionBatchSize: 500,
};
/** Batches one retention sweep empties at most before it leaves the rest to the next sweep. */
const RETENTION_MAX_BATCHES = 20;

/** The engine and its background loops, whose sweeps tests drive directly. */
export function assembleEngine(deps: EngineDeps): { engine: Engine; loops: BackgroundLoops } {
  const { store } = deps;
  const clock = deps.clock ?? systemClock;
  const log = deps.log ?? silentLogger;
  const options = { ...DEFAULTS, ...definedOnly(deps.options ?? {}) };

  const bus = createPredictionBus(log);
  const signals = createRunnerSignals(log);
  const catalog = createCatalog(store, clock);
  const retention = createDataRetention({ store, clock, defaultSeconds: options.dataRetentionSeconds });
  const webhooks = createWebhooks({
    store,
    clock,
    log,
    signingKey: () => engine.signingKey(),
    renderPrediction: deps.renderPrediction,
    ...(options.webhooks !== undefined ? { options: options.webhooks } : {}),
  });
  const writer = createPredictionWriter({
    store,
    clock,
    bus,
    signals,
    onTransition: retention.onTransition,
    outbox: webhooks.outbox,
    onApplied: webhooks.applied,
  });
  const streams = createStreamHub({ store, bus, log, ...(options.streams !== undefined ? { options: options.streams } : {}) });
  const sweeper = createRetentionSweeper({
    store,
    ...(deps.blobs !== undefined ? { blobs: deps.blobs } : {}),
    clock,
    log,
    streams,
    batchSize: options.retentionBatchSize,
    maxBatches: RETENTION_MAX_BATCHES,
  });
  const loops = createBackgroundLoops({
    store,
    clock,
    log,
    writer,
    signals,
    deadlineSweepMs: options.deadlineSweepMs,
    leaseSweepMs: options.leaseSweepMs,
  });
  let started = false;
  let signingKey: Promise<string> | null = null;
  const fileDeps = { store, clock, publicUrl: deps.publicUrl, signingKey: () => engine.signingKey() };
  const fileInputs = createFileInputs({ ...fileDeps, catalog });
  const uploadOutput = createOutputFiles({ ...fileDeps, blobs: deps.blobs });

  const engine: Engine = {
    bus,
    controlPlane: createControlPlane({ store, clock, catalog, writer, signals, leaseMs: options.leaseMs, fileInputs, uploadOutput }),
    accounts: createAccounts(store, clock),
    models: createModels(store, clock, catalog),
    predictions: createPredictions({ store, clock, catalog, validator: createInputValidator(log), writer, bus, signals, fileInputs }),
    signingKey() {
      // Created once per database and shared by every API node, so capability URLs survive restarts.
      signingKey ??= store.settings.getOrCreate("signing_key", () => randomBytes(32).toString("base64"));
      return signingKey;
    },
    streams,
    webhooks: webhooks.api,
    retention: {
      async get(account) {
        const seconds = await retention.get(account.id);
        return { seconds, effectiveSeconds: seconds ?? retention.defaultSeconds };
      },
      set: (account, seconds) => retention.set(account.id, seconds),
      sweep: () => sweeper.sweep(),
    },
    async start() {
      if (started) return;
      started = true;
      if (options.recoverOrphansOnStart) await loops.recoverOrphans();
      loops.start();
      sweeper.start(options.retentionSweepMs);
      webhooks.start();
    },
    async stop() {
      started = false;
      await loops.stop();
      await sweeper.stop();
      await webhooks.stop();
      streams.stop();
    },
  };
  return { engine, loops };
}

/** Creates the engine. Call start() to run recovery (when configured) and the background loops. */
export function createEngine(deps: EngineDeps): Engine {
  return assembleEngine(deps).engine;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
