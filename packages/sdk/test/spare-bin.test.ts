// The spare bin as a real child process: it waits with everything but the model loaded, becomes an instance from one
// launch line on stdin (with that line's environment), and never outlives the stdin that is its runner's lifeline.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { SPARE_BIN_PATH, formatSpareLaunch, type HealthBody, type PredictionSnapshot } from "../src/index.js";
import { call, eventually, freePort } from "./support.js";

const ENV_MODEL = fileURLToPath(new URL("./fixtures/env-model.ts", import.meta.url));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

function startSpare() {
  const child = spawn(process.execPath, ["--import", "tsx", SPARE_BIN_PATH], {
    env: { ...process.env, SPARE_ONLY: "the spare's own" },
    stdio: ["pipe", "pipe", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  let status = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  (child.stdio[3] as NodeJS.ReadableStream).on("data", (chunk: Buffer) => (status += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, exited, output: () => output, status: () => status };
}

const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`not within ${ms} ms`)), ms))]);

describe("spare bin", () => {
  it("becomes an instance of the model and environment its launch line names, and announces its progress", async () => {
    const spare = startSpare();
    const port = await freePort();
    const env = { PATH: process.env["PATH"] ?? "", PORT: String(port), HOST: "127.0.0.1", GREETING: "from the launch", FERRY_STATUS_FD: "3" };
    spare.child.stdin!.write(formatSpareLaunch({ entry: ENV_MODEL, env }));

    const server = { port };
    await eventually(async () => {
      const body = await call<HealthBody>(server, "GET", "/health-check").then((r) => r.body, () => undefined);
      return body?.status === "READY" ? body : undefined;
    }, 15_000);
    const seen = async (name: string) =>
      JSON.parse(String((await call<PredictionSnapshot>(server, "POST", "/predictions", { input: { name } })).body.output)) as Record<string, unknown>;
    expect(await seen("GREETING")).toEqual({ atImport: "from the launch", now: "from the launch", argv: ENV_MODEL });
    // The spare's own environment is gone: the instance has exactly the one it was launched with.
    expect(await seen("SPARE_ONLY")).toMatchObject({ atImport: null, now: null });
    await eventually(() => (spare.status() === "serving\nsetup\n" ? true : undefined), 5_000);

    spare.child.kill("SIGTERM");
    expect(await within(spare.exited, 10_000)).toBe(0);
  });

  it("exits when its stdin closes before any launch line came", async () => {
    const spare = startSpare();
    spare.child.stdin!.end();
    expect(await within(spare.exited, 15_000)).toBe(1);
  });

  it("exits when its stdin closes after it became an instance", async () => {
    const spare = startSpare();
    const port = await freePort();
    spare.child.stdin!.write(formatSpareLaunch({ entry: ENV_MODEL, env: { PORT: String(port), HOST: "127.0.0.1" } }));
    await eventually(async () => ((await call<HealthBody>({ port }, "GET", "/health-check").catch(() => null))?.body.status === "READY" ? true : undefined), 15_000);
    spare.child.stdin!.end();
    expect(await within(spare.exited, 10_000)).toBe(1);
  });

  it("refuses a launch line that is not one, saying why", async () => {
    const spare = startSpare();
    spare.child.stdin!.write('{"entry": 42}\n');
    expect(await within(spare.exited, 15_000)).toBe(2);
    expect(spare.output()).toContain("spare: the launch message has no entry");
  });
});
