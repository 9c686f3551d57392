// The spare process: node-runtime instances start from a pre-started process that already loaded node, tsx and the
// SDK; it is replaced after each take and after a crash, and it never outlives its runner.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { tsxLoaderUrl } from "../src/index.js";
import { fixturePath, nodeVersion } from "./support/fixtures.js";
import { eventually, startRunner } from "./support/runner-harness.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function spareOf(runner: { sparePid(): number | null }, other: number | null = null): Promise<number> {
  await eventually(() => ![null, other].includes(runner.sparePid()), 15_000, "a spare process");
  return runner.sparePid()!;
}

describe("the spare process", () => {
  test("an instance boots from it, with its own environment, serves, and a new spare takes its place", async () => {
    const version = nodeVersion("env-report", { env: { GREETING: "hello from the version" } });
    const { plane, runner } = await startRunner([version]);
    const spare = await spareOf(runner);

    const greeting = await plane.waitForTerminal(plane.enqueue(version.versionId, { name: "GREETING" }).id);
    const port = await plane.waitForTerminal(plane.enqueue(version.versionId, { name: "PORT" }).id);

    expect(runner.instances().map((i) => i.pid)).toEqual([spare]);
    // Like one started cold, its command line names the model it runs.
    expect(readFileSync(`/proc/${spare}/cmdline`, "utf8")).toContain(`ferry instance ${fixturePath("env-report.ts")}`);
    expect(greeting).toMatchObject({ status: "succeeded", output: "hello from the version" });
    expect(port).toMatchObject({ status: "succeeded", output: String(runner.instances()[0]?.port) });
    expect(alive(await spareOf(runner, spare))).toBe(true);
  });

  test("a spare that crashed is replaced, and the next instance boots from the replacement", async () => {
    const version = nodeVersion("echo");
    const { plane, runner } = await startRunner([version]);
    const crashed = await spareOf(runner);

    process.kill(crashed, "SIGKILL");
    const replacement = await spareOf(runner, crashed);
    const done = await plane.waitForTerminal(plane.enqueue(version.versionId, { text: "again" }).id);

    expect(done).toMatchObject({ status: "succeeded", output: "hello again" });
    expect(runner.instances().map((i) => i.pid)).toEqual([replacement]);
  });

  test("an instance whose environment sets what node reads only at start (NODE_OPTIONS) starts cold", async () => {
    const version = nodeVersion("env-report", { env: { NODE_OPTIONS: "--max-old-space-size=512" } });
    const { plane, runner } = await startRunner([version]);
    const spare = await spareOf(runner);

    const done = await plane.waitForTerminal(plane.enqueue(version.versionId, { name: "NODE_OPTIONS" }).id);

    expect(done).toMatchObject({ status: "succeeded", output: "--max-old-space-size=512" });
    expect(runner.instances()[0]?.pid).not.toBe(spare);
    expect(runner.sparePid()).toBe(spare);
  });

  test("with spareProcess: false there is none, and instances start cold", async () => {
    const version = nodeVersion("echo");
    const { plane, runner } = await startRunner([version], { spareProcess: false });

    const done = await plane.waitForTerminal(plane.enqueue(version.versionId, { text: "cold" }).id);

    expect(done.status).toBe("succeeded");
    expect(runner.sparePid()).toBeNull();
  });

  test("stop() ends the spare with the instances", async () => {
    const { runner } = await startRunner([nodeVersion("echo")]);
    const spare = await spareOf(runner);

    await runner.stop();

    expect(alive(spare)).toBe(false);
    expect(runner.sparePid()).toBeNull();
  });

  test("the spare and an instance started from one die when the runner's process is SIGKILLed", async () => {
    const host = spawn(process.execPath, ["--import", tsxLoaderUrl(), fixturePath("spare-host.ts")], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    host.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    try {
      await eventually(() => out.includes("\n"), 30_000, "the host's pids");
    } finally {
      host.kill("SIGKILL");
    }
    const [instance, spare] = out.trim().split(" ").map(Number);

    expect(instance).toBeGreaterThan(0);
    expect(spare).toBeGreaterThan(0);
    await eventually(() => !alive(instance!) && !alive(spare!), 5_000, "instance and spare gone");
  });
});
