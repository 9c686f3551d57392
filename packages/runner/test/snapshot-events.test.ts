// Cog snapshots are whole states: the events reported are exactly what is new, whatever order snapshots arrive in.
import { describe, expect, test } from "vitest";
import { NO_PROGRESS, eventsFromSnapshot } from "../src/snapshot-events.js";
import type { SnapshotProgress } from "../src/snapshot-events.js";

const at = (chunks: number, logsLength: number, done = false): SnapshotProgress => ({ chunks, logsLength, done });

describe("eventsFromSnapshot", () => {
  test("reports the appended log suffix and each new iterator item, logs first", () => {
    const result = eventsFromSnapshot(at(1, 7), { status: "processing", logs: "step 1\nstep 2\n", output: ["a", "b", "c"] }, true, false);

    expect(result.events).toEqual([
      { type: "logs", text: "step 2\n" },
      { type: "output", chunk: "b" },
      { type: "output", chunk: "c" },
    ]);
    expect(result).toMatchObject({ end: null, progress: at(3, 14) });
  });

  test.each([
    ["a replay of the same snapshot", { status: "processing", logs: "step 1\n", output: ["a"] }],
    ["a stale snapshot with less in it", { status: "processing", logs: "", output: [] }],
    ["a snapshot with no fields but status", { status: "processing" }],
  ])("changes nothing for %s", (_name, snapshot) => {
    const result = eventsFromSnapshot(at(1, 7), snapshot, true, false);

    expect(result.events).toEqual([]);
    expect(result.progress).toEqual(at(1, 7));
  });

  test("a terminal iterator snapshot reports the chunks not yet reported, then succeeded without output", () => {
    const result = eventsFromSnapshot(at(1, 0), { status: "succeeded", output: ["a", "b"], metrics: { predict_time: 1.5, tokens: 2, nested: { x: 1 } } }, true, false);

    expect(result.events).toEqual([
      { type: "output", chunk: "b" },
      { type: "succeeded", metrics: { predict_time: 1.5, tokens: 2 } },
    ]);
    expect(result.end).toBe("succeeded");
    expect(result.progress.done).toBe(true);
  });

  test("a terminal snapshot of a plain output carries the output, even when it is null", () => {
    expect(eventsFromSnapshot(NO_PROGRESS, { status: "succeeded", output: "hi" }, false, false).events).toEqual([{ type: "succeeded", output: "hi" }]);
    expect(eventsFromSnapshot(NO_PROGRESS, { status: "succeeded", output: null }, false, false).events).toEqual([{ type: "succeeded", output: null }]);
    expect(eventsFromSnapshot(NO_PROGRESS, { status: "succeeded" }, false, false).events).toEqual([{ type: "succeeded" }]);
  });

  test("a non-iterator's partial output is never reported before the end", () => {
    expect(eventsFromSnapshot(NO_PROGRESS, { status: "processing", output: ["a"] }, false, false).events).toEqual([]);
  });

  test("a failed snapshot reports its logs and then the model's error", () => {
    const result = eventsFromSnapshot(NO_PROGRESS, { status: "failed", logs: "Traceback\n", error: "boom" }, false, false);

    expect(result.events).toEqual([
      { type: "logs", text: "Traceback\n" },
      { type: "failed", error: "boom" },
    ]);
  });

  test("a failed snapshot without an error still fails with a message", () => {
    expect(eventsFromSnapshot(NO_PROGRESS, { status: "failed", error: null }, false, false).events).toEqual([
      { type: "failed", error: "The model failed without an error message" },
    ]);
  });

  test("a canceled snapshot after the runner asked for it reports nothing and ends the prediction", () => {
    const result = eventsFromSnapshot(at(0, 0), { status: "canceled", logs: "late\n" }, false, true);

    expect(result).toEqual({ events: [], end: "canceled", progress: at(0, 0, true) });
  });

  test("a canceled snapshot nobody asked for is a failure", () => {
    expect(eventsFromSnapshot(NO_PROGRESS, { status: "canceled" }, false, false).events).toEqual([
      { type: "failed", error: "The model instance canceled the prediction on its own" },
    ]);
  });

  test("nothing is reported after the end, whatever arrives", () => {
    const result = eventsFromSnapshot(at(1, 3, true), { status: "succeeded", logs: "more logs\n", output: ["a", "b"] }, true, false);

    expect(result.events).toEqual([]);
    expect(result.end).toBeNull();
  });
});
