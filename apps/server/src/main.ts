// The composition root (`npm start`): config → store → engine → account → built-in models → runner → HTTP.
import { mkdir } from "node:fs/promises";
import { pino } from "pino";
import { createEngine } from "@ferry/engine";
import { createRunner } from "@ferry/runner";
import { createStore, storeConfigFromUrl } from "@ferry/store";
import { buildApp } from "./app.js";
import { bannerText } from "./banner.js";
import { registerBuiltinModels } from "./builtin-models.js";
import { runDefaultExamples } from "./catalog/default-examples.js";
import { ConfigError, loadConfig } from "./config.js";
import { closeWithin } from "./http/close-within.js";
import type { Config } from "./config.js";
import { blobStoreFromConfig } from "./files/blob-store-from-config.js";
import { createFileExpirySweeper } from "./files/expiry-sweeper.js";
import { createFileService } from "./files/file-service.js";
import { HARDWARE } from "./hardware-catalog.js";
import { webhookBodyRenderer } from "./serializers/webhook.js";
import { installShutdown, runSteps } from "./shutdown.js";
import type { ShutdownStep } from "./shutdown.js";

/** Shutdown may take this long (instances get their grace period) before the process exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 20_000;
/** In-flight responses get this long to finish on shutdown before their connections are closed. */
const HTTP_CLOSE_GRACE_MS = 3_000;

async function main(config: Config): Promise<void> {
  const log = pino({ level: config.logLevel });
  // Filled as parts start; run newest first on shutdown, or on a failed start.
  const steps: ShutdownStep[] = [];
  try {
    await mkdir(config.dataDir, { recursive: true });
    const store = await createStore(storeConfigFromUrl(config.databaseUrl ?? undefined, config.dataDir));
    steps.unshift({ name: "store", run: () => store.close() });
    log.info({ dialect: store.dialect }, "store open");

    const { blobs, description: blobsAt } = blobStoreFromConfig(config);
    log.info({ blobs: blobsAt }, "blob store ready");

    const engine = createEngine({
      store,
      blobs,
      publicUrl: config.publicUrl,
      renderPrediction: webhookBodyRenderer(config.publicUrl),
      log: log.child({ component: "engine" }),
      options: {
        // Every leftover lease is an orphan only when this process is the one runner there can be.
        recoverOrphansOnStart: config.embeddedRunner && config.runnerTokens.length === 0,
        dataRetentionSeconds: config.dataRetentionSeconds,
        retentionSweepMs: config.retentionSweepMs,
        hardware: HARDWARE.map((h) => h.sku),
        maxQueuePerDeployment: config.maxQueuePerDeployment,
        deploymentDeleteIdleMs: config.deploymentDeleteIdleMs,
        // The scheduler: warm minimums for official models, the on-demand cap, and the idle window before scale-down.
        officialMinInstances: config.officialMinInstances,
        onDemandMaxInstances: config.maxInstances,
        instanceIdleMs: config.instanceIdleTimeoutMs,
      },
    });
    const { token } = await engine.accounts.bootstrap({ username: config.bootstrapUsername, token: config.bootstrapToken });
    const models = await registerBuiltinModels(engine, config.modelsDir, log.child({ component: "models" }), { publicUrl: config.publicUrl });
    await engine.start();
    steps.unshift({ name: "engine", run: () => engine.stop() });

    // Without it (FERRY_EMBEDDED_RUNNER=false) work runs only on `ferry runner` processes (docs/runners.md).
    if (config.embeddedRunner) {
      const runner = createRunner({
        controlPlane: engine.controlPlane,
        log: log.child({ component: "runner" }),
        spareProcess: config.spareProcess,
        // Official models' warm instances come on top of the on-demand budget, so keeping them warm never takes
        // room from other work.
        maxInstances: config.maxInstances + config.officialMinInstances * models.registered.filter((m) => m.unavailableReason === null).length,
        inputs: {
          ...config.inputs,
          // Files-API inputs reach the runner as signed links to this server, which may well be on a private address.
          // Built-in models' example inputs are served by this server too (GET /v1/models/{o}/{n}/files/…).
          trustedUrlPrefixes: [new URL(`${config.publicUrl}/v1/files/`).href, new URL(`${config.publicUrl}/v1/models/`).href],
        },
      });
      await runner.start();
      steps.unshift({ name: "runner", run: () => runner.stop() });
    }

    const files = createFileService({
      store,
      blobs,
      signingKey: () => engine.signingKey(),
      log: log.child({ component: "files" }),
      maxUploadBytes: config.maxUploadBytes,
    });
    const sweeper = createFileExpirySweeper({ files, log: log.child({ component: "file-sweeper" }) });
    sweeper.start();
    steps.unshift({ name: "file sweeper", run: () => sweeper.stop() });

    const app = await buildApp({ engine, config, log, files, modelAssets: models.assets, runnerTokens: config.runnerTokens });
    steps.unshift({ name: "http", run: () => closeWithin(app, HTTP_CLOSE_GRACE_MS) });
    installShutdown(steps, log, SHUTDOWN_TIMEOUT_MS);
    await app.listen({ port: config.port, host: config.host });
    if (config.runExamples) {
      // In the background, once listening: the runner fetches the examples' input files from this server.
      const examples = runDefaultExamples({ engine, models: models.registered, log: log.child({ component: "examples" }) });
      steps.unshift({ name: "default examples", run: () => examples.stop() });
    }

    process.stdout.write(
      bannerText({
        publicUrl: config.publicUrl,
        username: config.bootstrapUsername,
        generatedToken: config.bootstrapToken === null ? token : null,
        tokenFromEnv: config.bootstrapToken !== null,
        models: models.registered.map((m) => m.model),
      }) + "\n",
    );
  } catch (error) {
    log.fatal({ err: error }, "Ferry failed to start");
    await runSteps(steps, log);
    process.exit(1);
  }
}

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
await main(config);
