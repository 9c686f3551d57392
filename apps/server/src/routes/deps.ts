// What every route module receives from app.ts.
import type { Engine } from "@ferry/engine";
import type { PublicUrls } from "../http/public-urls.js";
import type { SyncWaits } from "../http/sync-wait.js";

export interface RouteDeps {
  engine: Engine;
  urls: PublicUrls;
  waits: SyncWaits;
}
