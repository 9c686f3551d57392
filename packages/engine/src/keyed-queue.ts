// Serializes async work per key inside this process, so a runner's events for one prediction never race
// each other (each event is applied to the row the previous one wrote).
export interface KeyedQueue {
  /**
   * Runs `task` after every task queued earlier under `key` has settled. `afterPredecessor` is true when
   * another task for the key was still queued or running when this one was queued.
   */
  run<T>(key: string, task: (afterPredecessor: boolean) => Promise<T>): Promise<T>;
  /** How many keys have queued work (for tests and metrics). */
  readonly activeKeys: number;
}

interface Chain {
  tail: Promise<void>;
  pending: number;
}

export function createKeyedQueue(): KeyedQueue {
  const chains = new Map<string, Chain>();
  return {
    run<T>(key: string, task: (afterPredecessor: boolean) => Promise<T>): Promise<T> {
      const existing = chains.get(key);
      const chain: Chain = existing ?? { tail: Promise.resolve(), pending: 0 };
      if (existing === undefined) chains.set(key, chain);
      const afterPredecessor = chain.pending > 0;
      chain.pending += 1;
      const result = chain.tail.then(() => task(afterPredecessor));
      const settled = (): void => {
        chain.pending -= 1;
        if (chain.pending === 0 && chains.get(key) === chain) chains.delete(key);
      };
      chain.tail = result.then(settled, settled);
      return result;
    },
    get activeKeys() {
      return chains.size;
    },
  };
}
