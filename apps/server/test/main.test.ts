// `npm start` as a real process: boots on SQLite, registers the built-in models, serves the official
// replicate client through the in-process runner, prints a generated token once, and stops cleanly on SIGTERM.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Replicate from "replicate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const REPO = resolve(import.meta.dirname, "../../..");
const MAIN = join(REPO, "apps/server/src/main.ts");

interface Server {
  child: ChildProcess;
  url: string;
  output(): string;
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address !== null ? done(address.port) : fail(new Error("no port"))));
    });
  });
}

async function startServer(dataDir: string): Promise<Server> {
  const port = await freePort();
  const env: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("FERRY_") && key !== "DATABASE_URL" && key !== "PORT" && key !== "HOST") env[key] = value;
  }
  Object.assign(env, { PORT: String(port), HOST: "127.0.0.1", FERRY_DATA_DIR: dataDir, FERRY_LOG_LEVEL: "info", FERRY_MAX_INSTANCES: "2" });
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], { cwd: REPO, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://localhost:${port}`;
  const deadline = Date.now() + 45_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) throw new Error(`server not healthy after 45 s:\n${output}`);
    const healthy = await fetch(`${url}/health`).then((r) => r.status === 200, () => false);
    if (healthy && output.includes("Ferry is ready")) return { child, url, output: () => output };
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopServer(server: Server): Promise<number | null> {
  if (server.child.exitCode !== null) return server.child.exitCode;
  const exited = new Promise<number | null>((done) => server.child.once("exit", (code) => done(code)));
  server.child.kill("SIGTERM");
  const timeout = new Promise<"timeout">((done) => setTimeout(() => done("timeout"), 25_000).unref());
  const result = await Promise.race([exited, timeout]);
  if (result === "timeout") {
    server.child.kill("SIGKILL");
    throw new Error(`server did not stop within 25 s:\n${server.output()}`);
  }
  return result;
}

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "ferry-main-test-"));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe("the server process", () => {
  it("runs hello-world for the official client and shuts down with exit code 0", { timeout: 120_000 }, async () => {
    const server = await startServer(dataDir);
    try {
      const token = /export REPLICATE_API_TOKEN=(r8_\S+)/.exec(server.output())?.[1];
      expect(token).toBeDefined();
      expect(server.output().split(token!).length - 1).toBe(1);
      expect(server.output()).toContain(`API       ${server.url}/v1`);
      expect(server.output()).toContain("ferry/hello-world");

      const replicate = new Replicate({ auth: token!, baseUrl: `${server.url}/v1` });
      expect(await replicate.run("ferry/hello-world", { input: { text: "Alice" } })).toBe("hello Alice");
      const hardware = await replicate.hardware.list();
      expect(hardware[0]).toEqual({ name: "CPU", sku: "cpu" });
      expect(await replicate.accounts.current()).toMatchObject({ type: "user", username: "admin" });

      const model = await replicate.models.get("ferry", "hello-world");
      expect(model.latest_version?.id).toMatch(/^[0-9a-f]{64}$/);
      const versions = await replicate.models.versions.list("ferry", "hello-world");
      expect(versions.results.map((v) => v.id)).toEqual([model.latest_version?.id]);
      const found = await replicate.models.search("hello");
      expect(found.results.map((m) => `${m.owner}/${m.name}`)).toContain("ferry/hello-world");

      const created = await replicate.predictions.create({ version: model.latest_version!.id, input: { text: "Bob" } });
      expect(created.status).toBe("starting");
      const finished = await replicate.wait(created, { interval: 50 });
      expect(finished).toMatchObject({ status: "succeeded", output: "hello Bob" });
      expect((await replicate.predictions.cancel(created.id)).status).toBe("succeeded");
      const listed: string[] = [];
      for await (const page of replicate.paginate(replicate.predictions.list)) listed.push(...page.map((p) => p.id));
      expect(listed).toContain(created.id);
    } finally {
      expect(await stopServer(server)).toBe(0);
    }
    expect(server.output()).toContain('"msg":"stopped"');
  });

  it("does not print a token again when the account already exists", { timeout: 60_000 }, async () => {
    const server = await startServer(dataDir);
    try {
      expect(server.output()).not.toMatch(/r8_/);
      expect(server.output()).toContain("already exists");
    } finally {
      expect(await stopServer(server)).toBe(0);
    }
  });
});
