// The instance bin as a real child process: health READY, a prediction, SIGTERM and POST /shutdown exits.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { INSTANCE_BIN_PATH, type HealthBody, type PredictionSnapshot } from "../src/index.js";
import { call, eventually, freePort } from "./support.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const HELLO = join(ROOT, "models/hello-world/src/predict.ts");
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

async function startInstance(entry: string) {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", INSTANCE_BIN_PATH, entry], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", COG_THROTTLE_RESPONSE_INTERVAL: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const server = { port };
  const health = () =>
    eventually(async () => {
      try {
        return (await call<HealthBody>(server, "GET", "/health-check")).body;
      } catch {
        return undefined;
      }
    }, 15_000);
  return { child, server, exited, health, output: () => output };
}

const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`not within ${ms} ms`)), ms))]);

describe("instance bin", () => {
  it("serves a model: health READY, a prediction, and a clean exit on SIGTERM", async () => {
    expect(INSTANCE_BIN_PATH).toBe(join(ROOT, "packages/sdk/src/bin/instance.ts"));
    const instance = await startInstance(HELLO);
    const ready = await eventually(async () => {
      const body = await instance.health();
      return body.status === "READY" ? body : undefined;
    }, 15_000);
    expect(ready.setup).toMatchObject({ status: "succeeded" });
    const res = await call<PredictionSnapshot>(instance.server, "POST", "/predictions", { input: { text: "ferry" } });
    expect(res.body).toMatchObject({ status: "succeeded", output: "hello ferry" });
    instance.child.kill("SIGTERM");
    expect(await within(instance.exited, 10_000)).toBe(0);
  });

  it("captures console and stream output once per line in a real process, and still echoes it", async () => {
    const instance = await startInstance(fileURLToPath(new URL("./fixtures/console-model.ts", import.meta.url)));
    const ready = await eventually(async () => {
      const body = await instance.health();
      return body.status === "READY" ? body : undefined;
    }, 15_000);
    expect(ready.setup!.logs).toBe("setting up\nconsole during setup\n");
    const res = await call<PredictionSnapshot>(instance.server, "POST", "/predictions", { input: { word: "one" } });
    expect(res.body.logs).toBe("console one\nerror one\nraw one\nctx one\n");
    await eventually(() => (instance.output().includes("ctx one") ? true : undefined));
    expect(instance.output()).toContain("console one\n");
    instance.child.kill("SIGTERM");
    expect(await within(instance.exited, 10_000)).toBe(0);
  });

  it("exits after POST /shutdown", async () => {
    const instance = await startInstance(HELLO);
    await eventually(async () => ((await instance.health()).status === "READY" ? true : undefined), 15_000);
    expect((await call(instance.server, "POST", "/shutdown")).status).toBe(200);
    expect(await within(instance.exited, 10_000)).toBe(0);
  });

  it("reports SETUP_FAILED with the reason when the entry is not a model", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ferry-sdk-bin-"));
    const entry = join(dir, "broken.mjs");
    writeFileSync(entry, "export default 42;\n");
    const instance = await startInstance(entry);
    const failed = await eventually(async () => {
      const body = await instance.health();
      return body.status === "SETUP_FAILED" ? body : undefined;
    }, 15_000);
    expect(failed.setup!.logs).toContain("must `export default defineModel");
    instance.child.kill("SIGTERM");
    expect(await within(instance.exited, 10_000)).toBe(0);
  });
});
