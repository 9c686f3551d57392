// Contract: under many concurrent claimers every queued prediction is claimed exactly once, and only by a
// claim for its own version. SQLite races separate connections and separate processes on one file;
// PostgreSQL races a pool of connections.
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Store } from "@ferry/core";
import { aPrediction, at, seedVersion } from "./support/fixtures.js";
import { STORE_FACTORIES } from "./support/store-factories.js";
import type { TestDatabase } from "./support/store-factories.js";
import { useStore } from "./support/use-store.js";

interface Claim {
  id: string;
  versionId: string;
  runnerId: string;
}

const PREDICTIONS = 200;
const WORKER = fileURLToPath(new URL("./support/claim-worker.ts", import.meta.url));

async function seedQueue(store: Store): Promise<Map<string, string>> {
  const a = await seedVersion(store);
  const b = await seedVersion(store);
  const versionOf = new Map<string, string>();
  for (let i = 0; i < PREDICTIONS; i++) {
    const { version, account } = i % 2 === 0 ? a : b;
    const p = await store.predictions.insert(aPrediction(version, account.id, { createdAt: at(i) }));
    versionOf.set(p.id, version.id);
  }
  return versionOf;
}

/** One claimer: claims a version until nothing is left to take. */
async function claimUntilEmpty(store: Store, runnerId: string, versionId: string): Promise<Claim[]> {
  const claims: Claim[] = [];
  for (;;) {
    const claimed = await store.predictions.claim({ runnerId, versionId, leaseUntil: at(10_000) });
    if (claimed === null) return claims;
    claims.push({ id: claimed.id, versionId, runnerId });
  }
}

async function expectEachClaimedOnce(store: Store, versionOf: Map<string, string>, claims: Claim[]): Promise<void> {
  const ids = claims.map((c) => c.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids.sort()).toEqual([...versionOf.keys()].sort());
  for (const claim of claims) expect(claim.versionId).toBe(versionOf.get(claim.id));
  for (const claim of claims) expect((await store.predictions.get(claim.id))?.leaseOwner).toBe(claim.runnerId);
  expect(await store.predictions.queuedVersions()).toEqual([]);
}

function startWorker(path: string, runnerId: string, versionIds: string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ["--import", "tsx", WORKER, path, runnerId, ...versionIds], { stdio: "pipe" });
}

/** Resolves with stdout's lines as they arrive; rejects if `predicate` has not matched within `ms`. */
function waitForLine(child: ChildProcessWithoutNullStreams, predicate: (line: string) => boolean, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    let stderr = "";
    const timer = setTimeout(() => reject(new Error(`worker timed out after ${ms} ms; stderr: ${stderr}`)), ms);
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      for (const line of buffer.split("\n").slice(0, -1)) {
        if (predicate(line)) {
          clearTimeout(timer);
          resolve(line);
        }
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${code}) early; stderr: ${stderr}`));
    });
  });
}

function openStores(database: TestDatabase, count: number, poolSize?: number): Promise<Store[]> {
  return Promise.all(Array.from({ length: count }, () => database.open(poolSize ? { poolSize } : undefined)));
}

/** `perVersion` claimers for each version on each store, all at once. */
function race(stores: Store[], versionIds: string[], perVersion: number): Promise<Claim[]>[] {
  return stores.flatMap((store, s) =>
    versionIds.flatMap((versionId, v) =>
      Array.from({ length: perVersion }, (_, c) => claimUntilEmpty(store, `local-${s}-${v}-${c}`, versionId)),
    ),
  );
}

describe.each(STORE_FACTORIES)("claim race on $name", (factory) => {
  const t = useStore(factory);

  if (factory.name === "sqlite") {
    it("claims each of 200 predictions once from 4 connections here and 4 other processes (24 claimers)", async () => {
      const versionOf = await seedQueue(t.store);
      const versionIds = [...new Set(versionOf.values())];
      const path = t.database.config.kind === "sqlite" ? t.database.config.path : "";
      const workers = Array.from({ length: 4 }, (_, i) => startWorker(path, `process-${i}`, versionIds));
      try {
        await Promise.all(workers.map((w) => waitForLine(w, (line) => line === "ready", 20_000)));
        const stores = await openStores(t.database, 4);
        const results = workers.map((w) => waitForLine(w, (line) => line.startsWith("["), 30_000));
        const firstClaim = Promise.any(workers.map((w) => waitForLine(w, (line) => line === "first", 30_000)));
        for (const w of workers) w.stdin.write("go\n");
        // On a loaded machine this process could empty the queue before any worker read "go"; start once one claims.
        await firstClaim;
        const local = race(stores, versionIds, 2);
        const claims = [
          ...(await Promise.all(local)).flat(),
          ...(await Promise.all(results)).flatMap((line) => JSON.parse(line) as Claim[]),
        ];
        await expectEachClaimedOnce(t.store, versionOf, claims);
        const byProcess = new Map<string, number>();
        for (const c of claims) {
          const source = c.runnerId.startsWith("process") ? c.runnerId : "local";
          byProcess.set(source, (byProcess.get(source) ?? 0) + 1);
        }
        // The race was real: more than one process took work.
        expect(byProcess.size).toBeGreaterThan(1);
      } finally {
        for (const w of workers) if (w.exitCode === null) w.kill();
      }
    }, 60_000);
  } else {
    it("claims each of 200 predictions once from 16 claimers over two pools of 8 connections", async () => {
      const versionOf = await seedQueue(t.store);
      const versionIds = [...new Set(versionOf.values())];
      const stores = await openStores(t.database, 2, 8);
      const claims = (await Promise.all(race(stores, versionIds, 4))).flat();
      expect(claims.length).toBe(PREDICTIONS);
      await expectEachClaimedOnce(t.store, versionOf, claims);
    }, 60_000);
  }
});
