// A server killed with SIGKILL loses nothing: queued predictions run after restart, and the one whose
// instance died with it ends failed with a clear error. Statuses never move backwards.
import { afterAll, describe, expect, it } from "vitest";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "./support/databases.js";
import { removeDataDir, startServer, type RunningServer } from "./support/server.js";
import { clientFor, pollPrediction } from "./support/client.js";

describe.each(DATABASE_KINDS)("durability across kill -9 on %s", (kind) => {
  let database: TestDatabase | undefined;
  let servers: RunningServer[] = [];

  afterAll(async () => {
    for (const server of servers) await server.kill();
    await database?.drop();
    if (servers[0]) removeDataDir(servers[0].dataDir);
    servers = [];
  });

  it("re-runs queued work and fails interrupted work after a restart", async () => {
    database = await createTestDatabase(kind);
    // One instance of a version at most: the long prediction holds it, so the other three are still queued at the
    // kill (with more, the scheduler would scale out and some could be mid-run, which is the interrupted case).
    const env = { FERRY_MAX_INSTANCES: "1" };
    const first = await startServer({ databaseUrl: database.url, env });
    servers.push(first);
    const before = clientFor(first);

    const running = await before.predictions.create({ model: "ferry/count", input: { to: 10000, delay_ms: 20 } });
    const queued = [];
    for (let i = 0; i < 3; i++) {
      queued.push(await before.predictions.create({ model: "ferry/count", input: { to: 3, delay_ms: 1 } }));
    }
    await pollPrediction(before, running.id, (p) => p.status === "processing");
    for (const p of queued) expect((await before.predictions.get(p.id)).status).toBe("starting");
    await first.kill();

    const second = await startServer({ databaseUrl: database.url, dataDir: first.dataDir, port: first.port, env });
    servers.push(second);
    const after = clientFor(second);

    const interrupted = await pollPrediction(after, running.id, (p) => p.status !== "processing" && p.status !== "starting");
    expect(interrupted.status).toBe("failed");
    expect(interrupted.error).toMatch(/restarted/);
    for (const p of queued) {
      const done = await pollPrediction(after, p.id, (x) => x.status === "succeeded" || x.status === "failed");
      expect(done.status).toBe("succeeded");
      expect(done.output).toEqual(["1", "2", "3"]);
    }
  });
});
