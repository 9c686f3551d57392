// The runners this API node has heard from: what each registered (hardware, capacity) and the instances its last
// heartbeat reported. Memory only: after a restart every runner's next heartbeat is answered `known: false`, it
// registers again, and the registry is whole within one heartbeat interval.
import type { InstanceReport, RunnerRegistration } from "@ferry/core";

export interface RunnerRecord {
  registration: RunnerRegistration;
  /** Epoch ms of the last registration or heartbeat. */
  lastSeenAt: number;
  instances: InstanceReport[];
}

export interface RunnerRegistry {
  register(registration: RunnerRegistration, now: number): void;
  /** Records a heartbeat; false when the runner is unknown (never registered here, or forgotten). */
  beat(runnerId: string, instances: InstanceReport[], now: number): boolean;
  get(runnerId: string): RunnerRecord | undefined;
  all(): RunnerRecord[];
  /** Removes and returns the runners not heard from since `before`. */
  forgetSilent(before: number): RunnerRecord[];
  size(): number;
}

export function createRunnerRegistry(): RunnerRegistry {
  const runners = new Map<string, RunnerRecord>();
  return {
    register(registration, now) {
      // A runner registering again (this node restarted, or forgot it) reports its instances with its next beat.
      runners.set(registration.runnerId, { registration, lastSeenAt: now, instances: [] });
    },
    beat(runnerId, instances, now) {
      const record = runners.get(runnerId);
      if (record === undefined) return false;
      record.lastSeenAt = now;
      record.instances = instances;
      return true;
    },
    get: (runnerId) => runners.get(runnerId),
    all: () => [...runners.values()],
    forgetSilent(before) {
      const lost: RunnerRecord[] = [];
      for (const [id, record] of runners) {
        if (record.lastSeenAt < before) {
          runners.delete(id);
          lost.push(record);
        }
      }
      return lost;
    },
    size: () => runners.size,
  };
}
