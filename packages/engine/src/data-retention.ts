// How long an ended API prediction keeps its input, output, logs and output files: the account's setting, else
// the server's default. The expiry is written with the terminal status (one write), so the sweeper only has to
// look for expiries that passed.
import { FerryError, isTerminal } from "@ferry/core";
import type { Clock, Prediction, PredictionPatch, Store } from "@ferry/core";
import { createTtlMap } from "./bounded-map.js";

/** A retention that keeps data forever (never swept). */
export const KEEP_FOREVER = -1;

const CACHE_SIZE = 10_000;
/** A retention changed on another API node is seen by this one within this long. */
const CACHE_TTL_MS = 10_000;

export interface DataRetention {
  /**
   * What to add to a transition's patch: when it ends an API prediction, `dataExpiresAt` = completion + the
   * retention (null when kept forever). Synchronous while the account's setting is cached.
   */
  onTransition(row: Prediction, patch: PredictionPatch): PredictionPatch | Promise<PredictionPatch>;
  /** The account's own setting: seconds, -1 (forever), or null (the server default). */
  get(accountId: string): Promise<number | null>;
  set(accountId: string, seconds: number | null): Promise<void>;
  /** The server default, in seconds (-1: forever). */
  readonly defaultSeconds: number;
}

export function createDataRetention(deps: { store: Store; clock: Clock; defaultSeconds: number }): DataRetention {
  const { store, clock, defaultSeconds } = deps;
  const byAccount = createTtlMap<{ seconds: number | null }>(CACHE_SIZE, CACHE_TTL_MS, clock);

  async function load(accountId: string): Promise<number | null> {
    const seconds = await store.accounts.getDataRetention(accountId);
    byAccount.set(accountId, { seconds });
    return seconds;
  }

  function withExpiry(patch: PredictionPatch, completedAt: string, setting: number | null): PredictionPatch {
    const seconds = setting ?? defaultSeconds;
    const dataExpiresAt = seconds < 0 ? null : new Date(Date.parse(completedAt) + seconds * 1000).toISOString();
    return { ...patch, dataExpiresAt };
  }

  return {
    defaultSeconds,
    onTransition(row, patch) {
      // Only API predictions expire (spec §3.1); web predictions are kept. Only the ending write sets it.
      if (row.source !== "api" || patch.status === undefined || !isTerminal(patch.status)) return patch;
      const completedAt = patch.completedAt ?? clock.now().toISOString();
      const cached = byAccount.get(row.accountId);
      if (cached !== undefined) return withExpiry(patch, completedAt, cached.seconds);
      return load(row.accountId).then((seconds) => withExpiry(patch, completedAt, seconds));
    },
    get: (accountId) => load(accountId),
    async set(accountId, seconds) {
      if (seconds !== null && (!Number.isInteger(seconds) || seconds < KEEP_FOREVER)) {
        throw new FerryError("validation_failed", "data_retention must be a whole number of seconds (0 or more), \"forever\" or null");
      }
      await store.accounts.setDataRetention(accountId, seconds);
      byAccount.set(accountId, { seconds });
    },
  };
}
