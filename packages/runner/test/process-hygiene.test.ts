// Instance processes never outlive the runner: stop() ends them, and so does the runner's process ending.
import { spawn } from "node:child_process";
import { describe, expect, test } from "vitest";
import { tsxLoaderUrl } from "../src/index.js";
import { fixturePath, nodeVersion, rawVersion } from "./support/fixtures.js";
import { eventually, startRunner } from "./support/runner-harness.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs test/fixtures/runner-host.ts and returns the pid of the instance it started, once the host is gone. */
async function hostInstancePid(mode: "exit" | "sigterm"): Promise<{ pid: number; code: number | null; signal: NodeJS.Signals | null }> {
  const host = spawn(process.execPath, ["--import", tsxLoaderUrl(), fixturePath("runner-host.ts"), mode], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  host.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    const timer = setTimeout(() => {
      host.kill("SIGKILL");
      reject(new Error("the runner host did not finish"));
    }, 25_000);
    host.once("exit", (c, s) => {
      clearTimeout(timer);
      resolve([c, s]);
    });
  });
  return { pid: Number(out.trim()), code, signal };
}

describe("instance processes", () => {
  test("stop() fails the work that was running and ends every instance", async () => {
    const running = nodeVersion("echo");
    const { plane, runner } = await startRunner([running]);
    const busy = plane.enqueue(running.versionId, { text: "long", delay_ms: 60_000 });
    await plane.waitFor(busy.id, (p) => p.status === "processing");
    const pids = runner.instances().map((i) => i.pid ?? 0);

    await runner.stop();

    expect(plane.get(busy.id)).toMatchObject({ status: "failed", error: "The runner stopped while running this prediction" });
    expect(runner.instances()).toEqual([]);
    for (const pid of pids) expect(alive(pid)).toBe(false);
  });

  test("stop() puts a claimed prediction the instance had not accepted yet back in the queue", async () => {
    const slowAccept = rawVersion({ env: { RAW_PUT_DELAY_MS: "60000" } });
    const { plane, runner } = await startRunner([slowAccept]);
    const p = plane.enqueue(slowAccept.versionId, { text: "x" });
    await plane.waitFor(p.id, (x) => x.leaseOwner !== null);

    await runner.stop();

    expect(plane.get(p.id)).toMatchObject({ status: "starting", leaseOwner: null });
    expect(plane.releases).toEqual([p.id]);
    expect(plane.reports(p.id)).toEqual([]);
  });

  test("stop() kills an instance that is still booting and leaves its queued work queued", async () => {
    const slowBoot = rawVersion({ env: { RAW_SETUP_MS: "60000" } });
    const { plane, runner } = await startRunner([slowBoot]);
    const p = plane.enqueue(slowBoot.versionId, { text: "x" });
    await eventually(() => runner.instances()[0]?.state === "booting", 5_000, "booting");
    const pid = runner.instances()[0]?.pid ?? 0;

    await runner.stop();

    expect(alive(pid)).toBe(false);
    expect(plane.get(p.id)).toMatchObject({ status: "starting", leaseOwner: null });
  });

  test("are killed when the runner's process exits without stopping the runner", async () => {
    const { pid, code } = await hostInstancePid("exit");

    expect(code).toBe(0);
    expect(pid).toBeGreaterThan(0);
    await eventually(() => !alive(pid), 5_000, "instance process gone");
  });

  test("are killed when the runner's process dies of an unhandled SIGTERM", async () => {
    const { pid, signal } = await hostInstancePid("sigterm");

    expect(signal).toBe("SIGTERM");
    await eventually(() => !alive(pid), 5_000, "instance process gone");
  });
});
