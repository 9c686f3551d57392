// Crash-loop detection: a version whose instances fail setup again and again is unhealthy, so its queued work fails
// fast with the setup error instead of waiting for boots that keep failing. It recovers when one of its instances
// becomes ready, or when the cool-down passes (the next boot is then a fresh try).

export interface CrashLoopPolicy {
  /** Setup failures within `windowMs` that make a version unhealthy. Default 3. */
  failures: number;
  windowMs: number;
  /** How long a version stays unhealthy without a ready instance. */
  coolDownMs: number;
}

export const DEFAULT_CRASH_LOOP: CrashLoopPolicy = { failures: 3, windowMs: 10 * 60_000, coolDownMs: 60_000 };

export interface Unhealthy {
  versionId: string;
  /** The last setup error. */
  reason: string;
  /** Epoch ms. */
  since: number;
}

export interface VersionHealth {
  /** Records one setup failure; returns the new state when this failure made the version unhealthy. */
  setupFailed(versionId: string, error: string, now: number): Unhealthy | null;
  /** An instance of the version became ready: it is healthy again. Returns whether it had been unhealthy. */
  ready(versionId: string): boolean;
  /** The version's unhealthy state, or null (a cool-down that passed clears it). */
  unhealthy(versionId: string, now: number): Unhealthy | null;
  /** Every version unhealthy now. */
  list(now: number): Unhealthy[];
}

export function createVersionHealth(policy: CrashLoopPolicy = DEFAULT_CRASH_LOOP): VersionHealth {
  const failures = new Map<string, number[]>();
  const unhealthy = new Map<string, Unhealthy>();

  function current(versionId: string, now: number): Unhealthy | null {
    const state = unhealthy.get(versionId);
    if (state === undefined) return null;
    if (now - state.since < policy.coolDownMs) return state;
    unhealthy.delete(versionId);
    return null;
  }

  return {
    setupFailed(versionId, error, now) {
      const recent = (failures.get(versionId) ?? []).filter((t) => now - t < policy.windowMs);
      recent.push(now);
      if (recent.length < policy.failures) {
        failures.set(versionId, recent);
        return null;
      }
      // The count starts over: after the cool-down a version gets the full number of tries again.
      failures.delete(versionId);
      const state = { versionId, reason: error, since: now };
      unhealthy.set(versionId, state);
      return state;
    },
    ready(versionId) {
      failures.delete(versionId);
      return unhealthy.delete(versionId);
    },
    unhealthy: current,
    list(now) {
      return [...unhealthy.keys()].flatMap((id) => {
        const state = current(id, now);
        return state === null ? [] : [state];
      });
    },
  };
}
