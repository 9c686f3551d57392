// The HTTP application: Fastify with the router, parsers, auth and error handling the official clients need,
// and the /v1 routes. Tests build it with a real engine and call inject().
import Fastify from "fastify";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import type { Engine } from "@ferry/engine";
import type { Config } from "./config.js";
import type { FileService } from "./files/file-service.js";
import { decorateAccount, requireAuthentication } from "./http/auth.js";
import { installSessionCookies } from "./http/session-cookie.js";
import { installBodyParsers } from "./http/body-parsers.js";
import { installErrorHandling } from "./http/error-handler.js";
import { createPublicUrls } from "./http/public-urls.js";
import { RequestLog } from "./http/request-log.js";
import { createSyncWaits } from "./http/sync-wait.js";
import { accountRoutes } from "./routes/account.js";
import { deploymentRoutes } from "./routes/deployments.js";
import { authSessionRoutes } from "./routes/auth-session.js";
import type { RouteDeps } from "./routes/deps.js";
import { fileDownloadRoutes, fileRoutes } from "./routes/files.js";
import { hardwareRoutes } from "./routes/hardware.js";
import { healthRoutes } from "./routes/health.js";
import { metricsRoutes } from "./routes/metrics.js";
import { modelPredictionRoutes } from "./routes/model-predictions.js";
import { modelVersionRoutes } from "./routes/model-versions.js";
import { modelRoutes } from "./routes/models.js";
import { catalogRoutes } from "./routes/catalog.js";
import { modelAssetRoutes } from "./routes/model-assets.js";
import type { ModelAssets } from "./catalog/model-assets.js";
import { streamRoutes } from "./routes/streams.js";
import { RUNNER_PROTOCOL_PREFIX, runnerProtocolRoutes } from "./routes/runner-protocol.js";
import { predictionRoutes } from "./routes/predictions.js";
import { webhookRoutes } from "./routes/webhooks.js";
import { tokenRoutes } from "./routes/tokens.js";
import { webUiRoutes } from "./routes/web-ui.js";
import type { WebUiOptions } from "./routes/web-ui.js";

export interface AppDeps {
  engine: Engine;
  config: Pick<Config, "publicUrl">;
  /** A pino logger; every request logs through a child of it that carries the request id. */
  log: FastifyBaseLogger;
  /** The Files API's use cases, over the store's files and the blob store. */
  files: FileService;
  /** The public files (covers, example inputs) of the built-in models, from registerBuiltinModels; none by default. */
  modelAssets?: ModelAssets;
  /** Where the built web UI lives; tests point it elsewhere. Default apps/web/dist (not served when unbuilt). */
  webUi?: WebUiOptions;
  /** Tokens runners on other machines present to the runner protocol (FERRY_RUNNER_TOKEN); none turns it off. */
  runnerTokens?: readonly string[];
}

/** Room for data-URI inputs: the JS client inlines up to 10 MB of files as base64 (spec §6.1). */
const BODY_LIMIT = 20 * 1024 * 1024;

/** Builds the API. Nothing listens yet: call listen() (main) or inject() (tests). */
export async function buildApp({ engine, config, log, files, webUi, modelAssets, runnerTokens }: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: log,
    logController: new RequestLog(),
    routerOptions: { ignoreTrailingSlash: true },
    bodyLimit: BODY_LIMIT,
  });
  // Fastify 5.12 knows QUERY already; older 5.x releases need it declared.
  if (!app.supportedMethods.includes("QUERY")) app.addHttpMethod("QUERY", { hasBody: true });

  installBodyParsers(app);
  installErrorHandling(app);
  decorateAccount(app);
  await installSessionCookies(app);

  // Stream URLs in prediction JSON are signed with the engine's key (shared by every API node).
  const urls = createPublicUrls(config.publicUrl, await engine.signingKey());
  const deps: RouteDeps = { engine, urls, waits: createSyncWaits(engine) };
  // On close, waiting `Prefer: wait` requests answer at once instead of holding shutdown for up to 60 s.
  app.addHook("preClose", async () => deps.waits.releaseAll());

  healthRoutes(app);
  metricsRoutes(app, { engine });
  await app.register(
    async (v1) => {
      requireAuthentication(v1, engine, config.publicUrl);
      predictionRoutes(v1, deps);
      modelPredictionRoutes(v1, deps);
      deploymentRoutes(v1, deps);
      modelRoutes(v1, deps);
      modelVersionRoutes(v1, deps);
      hardwareRoutes(v1);
      accountRoutes(v1, deps);
      webhookRoutes(v1, deps);
      catalogRoutes(v1, deps);
      tokenRoutes(v1, deps);
      await fileRoutes(v1, { files, urls: deps.urls });
    },
    { prefix: "/v1" },
  );
  // Signed links: readable without a token, because the link itself carries the proof.
  await app.register(async (open) => fileDownloadRoutes(open, { files }), { prefix: "/v1" });
  // SSE streams: capability URLs, readable without a token (spec §5.1).
  await app.register(async (open) => streamRoutes(open, { engine }), { prefix: "/v1" });
  // The runner protocol: its own token, outside account auth.
  await app.register(async (runners) => runnerProtocolRoutes(runners, { controlPlane: engine.controlPlane, tokens: runnerTokens ?? [] }), {
    prefix: RUNNER_PROTOCOL_PREFIX,
  });
  // Built-in models' covers and example inputs: public, so pages can show them and runners can fetch them.
  await app.register(async (open) => modelAssetRoutes(open, { assets: modelAssets ?? new Map() }), { prefix: "/v1" });
  // The web UI: sign-in by cookie, then the built pages for every other GET.
  authSessionRoutes(app, { engine, publicUrl: config.publicUrl });
  await webUiRoutes(app, webUi);
  return app;
}
