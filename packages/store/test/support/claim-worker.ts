// A separate process that races for claims on a shared SQLite file: `node --import tsx claim-worker.ts <path> <runnerId> <versionId>...`.
// It opens its own Store, prints "ready", waits for "go" on stdin, claims each version until the queue is
// empty (one claim loop per version), printing "first" after its first claim, then prints one JSON line of what it
// claimed and exits.
import { createInterface } from "node:readline";
import { createStore } from "@ferry/store";

const [path, runnerId, ...versionIds] = process.argv.slice(2);
if (path === undefined || runnerId === undefined || versionIds.length === 0) throw new Error("usage: claim-worker <path> <runnerId> <versionId>...");

const store = await createStore({ kind: "sqlite", path });
const lines = createInterface({ input: process.stdin });
const go = new Promise<void>((resolve) => lines.on("line", (line) => line === "go" && resolve()));
process.stdout.write("ready\n");
await go;

const claims: { id: string; versionId: string; runnerId: string }[] = [];
await Promise.all(
  versionIds.map(async (versionId) => {
    for (;;) {
      const claimed = await store.predictions.claim({ runnerId, versionId, leaseUntil: "2100-01-01T00:00:00.000Z" });
      if (claimed === null) return;
      // Tells the test this process is in the race, so the test's own claimers start against it, not before it.
      if (claims.length === 0) process.stdout.write("first\n");
      claims.push({ id: claimed.id, versionId, runnerId });
    }
  }),
);
await store.close();
lines.close();
process.stdout.write(`${JSON.stringify(claims)}\n`);
