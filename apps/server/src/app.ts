// The HTTP application: Fastify with the router, parsers, auth and error handling the official clients need,
// and the /v1 routes. Tests build it with a real engine and call inject().
import Fastify from "fastify";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import type { Engine } from "@ferry/engine";
import type { Config } from "./config.js";
import { decorateAccount, requireAuthentication } from "./http/auth.js";
import { installBodyParsers } from "./http/body-parsers.js";
import { installErrorHandling } from "./http/error-handler.js";
import { createPublicUrls } from "./http/public-urls.js";
import { RequestLog } from "./http/request-log.js";
import { createSyncWaits } from "./http/sync-wait.js";
import { accountRoutes } from "./routes/account.js";
import type { RouteDeps } from "./routes/deps.js";
import { hardwareRoutes } from "./routes/hardware.js";
import { healthRoutes } from "./routes/health.js";
import { modelPredictionRoutes } from "./routes/model-predictions.js";
import { modelVersionRoutes } from "./routes/model-versions.js";
import { modelRoutes } from "./routes/models.js";
import { predictionRoutes } from "./routes/predictions.js";

export interface AppDeps {
  engine: Engine;
  config: Pick<Config, "publicUrl">;
  /** A pino logger; every request logs through a child of it that carries the request id. */
  log: FastifyBaseLogger;
}

/** Room for data-URI inputs: the JS client inlines up to 10 MB of files as base64 (spec §6.1). */
const BODY_LIMIT = 20 * 1024 * 1024;

/** Builds the API. Nothing listens yet: call listen() (main) or inject() (tests). */
export async function buildApp({ engine, config, log }: AppDeps): Promise<FastifyInstance> {
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

  const deps: RouteDeps = { engine, urls: createPublicUrls(config.publicUrl), waits: createSyncWaits(engine) };
  // On close, waiting `Prefer: wait` requests answer at once instead of holding shutdown for up to 60 s.
  app.addHook("preClose", async () => deps.waits.releaseAll());

  healthRoutes(app);
  await app.register(
    async (v1) => {
      requireAuthentication(v1, engine);
      predictionRoutes(v1, deps);
      modelPredictionRoutes(v1, deps);
      modelRoutes(v1, deps);
      modelVersionRoutes(v1, deps);
      hardwareRoutes(v1);
      accountRoutes(v1);
    },
    { prefix: "/v1" },
  );
  return app;
}
