// The engine's composition: one store, one clock, the caches and the background loops behind the Engine API.
import { randomBytes } from "node:crypto";
import { silentLogger, systemClock } from "@ferry/core";
import { createAccounts } from "./accounts.js";
import type { BackgroundLoops } from "./background-loops.js";
import { createBackgroundLoops } from "./background-loops.js";
import { createCatalog } from "./catalog.js";
import { createControlPlane } from "./control-plane.js";
import { createDataRetention } from "./data-retention.js";
import { createDeploymentRouter } from "./deployment-routing.js";
import type { VersionHealth } from "./deployment-routing.js";
import { createDeployments } from "./deployments.js";
import type { Engine, EngineDeps } from "./engine-types.js";
import { createFileInputs } from "./file-inputs.js";
import { createInputValidator } from "./input-validator.js";
import { createModelCatalog } from "./model-catalog.js";
import { createModels } from "./models.js";
import { createOutputFiles } from "./output-files.js";
import { trackDeploymentLatencies } from "./deployment-latencies.js";
import { createPredictionBus } from "./prediction-bus.js";
import { createPredictionWriter } from "./prediction-writer.js";
import { createPredictions } from "./predictions.js";
import { createRetentionSweeper } from "./retention-sweeper.js";
import { createRunnerSignals } from "./runner-signals.js";
import { createRetries } from "./scheduler/retries.js";
import { createScheduler } from "./scheduler/scheduler.js";
import { DEFAULT_CRASH_LOOP } from "./scheduler/version-health.js";
import { createStreamHub } from "./stream-hub.js";
import { createWebhooks } from "./webhooks/create-webhooks.js";

const DEFAULTS = {
  leaseMs: 30_000,
  deadlineSweepMs: 250,
  leaseSweepMs: 5_000,
  recoverOrphansOnStart: false,
  hardware: ["cpu"] as readonly string[],
  maxQueuePerDeployment: 100,
  queueRetryAfterSeconds: 5,
  deploymentDeleteIdleMs: 15 * 60_000,
  dataRetentionSeconds: 3_600,
  retentionSweepMs: 60_000,
  retentionBatchSize: 500,
  officialMinInstances: 0,
  onDemandMaxInstances: 4,
  instanceIdleMs: 300_000,
  runnerLostMs: 15_000,
  schedulerSweepMs: 1_000,
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
  const latencies = trackDeploymentLatencies(bus);
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
    // Called when a prediction starts, long after assembly: the scheduler exists by then.
    startPhases: (row, startedAt) => scheduler.capacityWait(row.versionId, row.createdAt, startedAt),
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
  const retries = createRetries({ store, clock, writer, signals });
  const scheduler = createScheduler({
    store,
    clock,
    log,
    catalog,
    writer,
    signals,
    retries,
    // Read when a plan is made, by then the deployments are assembled.
    deploymentPolicies: () => deployments.scalingPolicies(),
    options: {
      officialMinInstances: options.officialMinInstances,
      onDemandMaxInstances: options.onDemandMaxInstances,
      idleWindowMs: options.instanceIdleMs,
      runnerLostMs: options.runnerLostMs,
      sweepMs: options.schedulerSweepMs,
      crashLoop: options.crashLoop ?? DEFAULT_CRASH_LOOP,
    },
  });
  const loops = createBackgroundLoops({
    store,
    clock,
    log,
    writer,
    signals,
    retries,
    deadlineSweepMs: options.deadlineSweepMs,
    leaseSweepMs: options.leaseSweepMs,
  });
  let started = false;
  let signingKey: Promise<string> | null = null;
  const fileDeps = { store, clock, publicUrl: deps.publicUrl, signingKey: () => engine.signingKey() };
  const fileInputs = createFileInputs({ ...fileDeps, catalog });
  const validator = createInputValidator(log);
  const versionHealth: VersionHealth = deps.versionHealth ?? { isUnhealthy: (versionId) => scheduler.unhealthy(versionId) !== null };
  const deployments = createDeployments({
    store,
    clock,
    catalog,
    settings: { hardware: options.hardware, deleteIdleMs: options.deploymentDeleteIdleMs },
  });
  const deploymentRouter = createDeploymentRouter({
    store,
    catalog,
    validator,
    health: () => versionHealth,
    settings: { maxQueuePerDeployment: options.maxQueuePerDeployment, retryAfterSeconds: options.queueRetryAfterSeconds },
  });
  const uploadOutput = createOutputFiles({ ...fileDeps, blobs: deps.blobs });

  const predictions = createPredictions({ store, clock, catalog, validator, writer, bus, signals, fileInputs, deployments: deploymentRouter, unhealthy: (versionId) => scheduler.unhealthy(versionId) });

  const engine: Engine = {
    bus,
    controlPlane: createControlPlane({ store, clock, catalog, writer, signals, leaseMs: options.leaseMs, fileInputs, uploadOutput, scheduler, retries }),
    accounts: createAccounts(store, clock),
    models: createModels(store, clock, catalog),
    predictions,
    deployments,
    catalog: createModelCatalog({ store, clock, catalog, predictions }),
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
    scheduler: {
      snapshot: () => scheduler.snapshot(),
      instancesOf: (versionId) => scheduler.instancesOf(versionId),
      recentLatencies: (deployment) => latencies.of(deployment),
      unhealthy: (versionId) => scheduler.unhealthy(versionId),
      sweepLostRunners: () => scheduler.sweepLostRunners(),
    },
    async start() {
      if (started) return;
      started = true;
      if (options.recoverOrphansOnStart) await loops.recoverOrphans();
      loops.start();
      scheduler.start();
      sweeper.start(options.retentionSweepMs);
      webhooks.start();
    },
    async stop() {
      started = false;
      await loops.stop();
      await scheduler.stop();
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
