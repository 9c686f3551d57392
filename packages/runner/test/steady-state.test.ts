// The steady state: a signal for a version with a ready instance is claimed directly (no pending-work read),
// a burst larger than the instance's slots still runs to the end, and the runner asks instances for the
// terminal snapshot in the 202 with the SDK's own header name.
import { describe, expect, test } from "vitest";
import { INLINE_COMPLETION_HEADER as SDK_HEADER } from "@ferry/sdk";
import { INLINE_COMPLETION_HEADER } from "../src/cog-client.js";
import { createWakeLoop } from "../src/wake-loop.js";
import type { PassRequest } from "../src/wake-loop.js";
import { silentLogger } from "@ferry/core";
import { nodeVersion } from "./support/fixtures.js";
import { startRunner } from "./support/runner-harness.js";

describe("the runner in its steady state", () => {
  test("claims signalled work for a ready instance without reading pending work, one claim per prediction", async () => {
    const version = nodeVersion("echo", { concurrency: 4 });
    // No poll tick during the test: only signals and freed slots wake the runner.
    const { plane } = await startRunner([version], { pollIntervalMs: 60_000 });
    await plane.waitForTerminal(plane.enqueue(version.versionId, { text: "warm" }).id, 20_000);

    let pendingReads = 0;
    let claims = 0;
    const pendingWork = plane.pendingWork.bind(plane);
    const claim = plane.claim.bind(plane);
    plane.pendingWork = () => {
      pendingReads += 1;
      return pendingWork();
    };
    plane.claim = (runnerId, versionId) => {
      claims += 1;
      return claim(runnerId, versionId);
    };
    for (let i = 0; i < 10; i++) {
      const done = await plane.waitForTerminal(plane.enqueue(version.versionId, { text: `n${i}` }).id);
      expect(done).toMatchObject({ status: "succeeded", output: `hello n${i}` });
    }
    expect(pendingReads).toBe(0);
    expect(claims).toBe(10);
  });

  test("runs a burst of more predictions than the instance has slots, each once", async () => {
    const version = nodeVersion("echo", { concurrency: 2 });
    const { plane } = await startRunner([version], { pollIntervalMs: 60_000 });
    await plane.waitForTerminal(plane.enqueue(version.versionId, { text: "warm" }).id, 20_000);

    const ids = Array.from({ length: 12 }, (_, i) => plane.enqueue(version.versionId, { text: `b${i}`, delay_ms: 20 }).id);
    const done = await Promise.all(ids.map((id) => plane.waitForTerminal(id, 15_000)));

    expect(done.map((p) => p.output)).toEqual(ids.map((_, i) => `hello b${i}`));
    for (const id of ids) expect(plane.reports(id).filter((r) => r.event.type === "started")).toHaveLength(1);
  });

  test("reports the start first when the control plane will not take a quick prediction's end alone", async () => {
    const version = nodeVersion("quiet", { concurrency: 4 });
    const { plane } = await startRunner([version]);

    const done = await plane.waitForTerminal(plane.enqueue(version.versionId, { text: "q" }).id, 20_000);

    expect(done).toMatchObject({ status: "succeeded", output: "hello q" });
    // The in-memory plane is core's state machine alone: the lone end is refused, then started and succeeded apply.
    expect(plane.reports(done.id).map((r) => [r.event.type, r.applied])).toEqual([
      ["succeeded", false],
      ["started", true],
      ["succeeded", true],
    ]);
  });

  test("names the inline-completion header as the SDK does", () => {
    expect(INLINE_COMPLETION_HEADER).toBe(SDK_HEADER);
  });
});

describe("the wake loop", () => {
  test("runs one pass at a time and folds the wake-ups made during it into the next pass", async () => {
    const passes: { full: boolean; versions: [string, number | null][] }[] = [];
    let release!: () => void;
    const loop = createWakeLoop(async (request: PassRequest) => {
      passes.push({ full: request.full, versions: [...request.versions] });
      if (passes.length === 1) await new Promise<void>((resolve) => (release = resolve));
    }, silentLogger);

    loop.wakeFor("a", 1);
    loop.wakeFor("a", 1);
    loop.wakeFor("b", 2);
    loop.wakeFor("b", null);
    loop.wakeFor("c", 3);
    release();
    await loop.idle();
    loop.wake();
    await loop.idle();

    expect(passes).toEqual([
      { full: false, versions: [["a", 1]] },
      { full: false, versions: [["a", 1], ["b", null], ["c", 3]] },
      { full: true, versions: [] },
    ]);
  });
});
