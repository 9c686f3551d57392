// The engine's composition: one store, one clock, the caches and the background loops behind the Engine API.
import { silentLogger, systemClock } from "@ferry/core";
import { createAccounts } from "./accounts.js";
import type { BackgroundLoops } from "./background-loops.js";
import { createBackgroundLoops } from "./background-loops.js";
import { createCatalog } from "./catalog.js";
import { createControlPlane } from "./control-plane.js";
import type { Engine, EngineDeps } from "./engine-types.js";
import { createInputValidator } from "./input-validator.js";
import { createModels } from "./models.js";
import { createPredictionBus } from "./prediction-bus.js";
import { createPredictionWriter } from "./prediction-writer.js";
import { createPredictions } from "./predictions.js";
import { createRunnerSignals } from "./runner-signals.js";

const DEFAULTS = { leaseMs: 30_000, deadlineSweepMs: 250, leaseSweepMs: 5_000, recoverOrphansOnStart: false };

/** The engine and its background loops, whose sweeps tests drive directly. */
export function assembleEngine(deps: EngineDeps): { engine: Engine; loops: BackgroundLoops } {
  const { store } = deps;
  const clock = deps.clock ?? systemClock;
  const log = deps.log ?? silentLogger;
  const options = { ...DEFAULTS, ...definedOnly(deps.options ?? {}) };

  const bus = createPredictionBus(log);
  const signals = createRunnerSignals(log);
  const catalog = createCatalog(store, clock);
  const writer = createPredictionWriter({ store, clock, bus, signals });
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

  const engine: Engine = {
    bus,
    controlPlane: createControlPlane({ store, clock, catalog, writer, signals, leaseMs: options.leaseMs }),
    accounts: createAccounts(store, clock),
    models: createModels(store, clock, catalog),
    predictions: createPredictions({ store, clock, catalog, validator: createInputValidator(log), writer, bus, signals }),
    async start() {
      if (started) return;
      started = true;
      if (options.recoverOrphansOnStart) await loops.recoverOrphans();
      loops.start();
    },
    async stop() {
      started = false;
      await loops.stop();
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
