// The SSE event buffer of one prediction: what each row snapshot adds, the id rule, done payloads and replay
// after a Last-Event-ID.
import { describe, expect, it } from "vitest";
import type { Prediction } from "@ferry/core";
import { createStreamBuffer } from "../src/stream-buffer.js";

const CREATED = "2025-01-01T00:00:10.500Z";
const EPOCH = Math.floor(Date.parse(CREATED) / 1000);

function row(overrides: Partial<Prediction>): Prediction {
  return {
    id: "p1",
    accountId: "a",
    modelId: "m",
    model: "o/n",
    versionId: "v",
    input: {},
    output: null,
    logs: "",
    error: null,
    status: "processing",
    source: "api",
    dataRemoved: false,
    createdAt: CREATED,
    startedAt: CREATED,
    completedAt: null,
    deadline: null,
    metrics: null,
    webhook: null,
    webhookEventsFilter: null,
    canStream: true,
    leaseOwner: null,
    leaseExpiresAt: null,
    ...overrides,
  };
}

describe("a stream buffer", () => {
  it("emits new log text and each new output chunk, with ids <creation seconds>:<sequence>", () => {
    const buffer = createStreamBuffer(CREATED);
    expect(buffer.observe(row({ logs: "loading\n" }))).toEqual([{ id: `${EPOCH}:0`, event: "logs", data: "loading\n" }]);
    expect(buffer.observe(row({ logs: "loading\n", output: ["a"] }))).toEqual([{ id: `${EPOCH}:1`, event: "output", data: "a" }]);
    expect(buffer.observe(row({ logs: "loading\nstep\n", output: ["a", "b", "c"] }))).toEqual([
      { id: `${EPOCH}:2`, event: "logs", data: "step\n" },
      { id: `${EPOCH}:3`, event: "output", data: "b" },
      { id: `${EPOCH}:4`, event: "output", data: "c" },
    ]);
    expect(buffer.finished).toBe(false);
  });

  it("adds nothing for a stale or repeated snapshot", () => {
    const buffer = createStreamBuffer(CREATED);
    buffer.observe(row({ logs: "one\ntwo\n", output: ["a", "b"] }));
    expect(buffer.observe(row({ logs: "one\n", output: ["a"] }))).toEqual([]);
    expect(buffer.observe(row({ logs: "one\ntwo\n", output: ["a", "b"] }))).toEqual([]);
    expect(buffer.events).toHaveLength(3);
  });

  it("ends a success with done {}", () => {
    const buffer = createStreamBuffer(CREATED);
    const added = buffer.observe(row({ status: "succeeded", output: ["x"] }));
    expect(added.map((e) => [e.event, e.data])).toEqual([
      ["output", "x"],
      ["done", "{}"],
    ]);
    expect(buffer.finished).toBe(true);
    expect(buffer.observe(row({ status: "succeeded", output: ["x", "y"] }))).toEqual([]);
  });

  it("ends a failure with an error event carrying the detail, then done with reason error", () => {
    const buffer = createStreamBuffer(CREATED);
    const added = buffer.observe(row({ status: "failed", error: "Reached fail_at=2", output: ["1"] }));
    expect(added.map((e) => [e.event, e.data])).toEqual([
      ["output", "1"],
      ["error", '{"detail":"Reached fail_at=2"}'],
      ["done", '{"reason":"error"}'],
    ]);
  });

  it("ends a canceled or aborted prediction with done reason canceled", () => {
    for (const status of ["canceled", "aborted"] as const) {
      const buffer = createStreamBuffer(CREATED);
      expect(buffer.observe(row({ status })).map((e) => e.data)).toEqual(['{"reason":"canceled"}']);
    }
  });

  it("treats a non-iterator output as one chunk, and JSON-encodes chunks that are not text", () => {
    const single = createStreamBuffer(CREATED);
    expect(single.observe(row({ status: "succeeded", canStream: false, output: "hello Alice" }))[0]).toMatchObject({ event: "output", data: "hello Alice" });
    const objects = createStreamBuffer(CREATED);
    expect(objects.observe(row({ output: [{ n: 1 }, 2, null] })).map((e) => e.data)).toEqual(['{"n":1}', "2", "null"]);
  });

  it("rebuilt from a finished row, numbers logs first as one event, then each output chunk, then error and done", () => {
    const buffer = createStreamBuffer(CREATED);
    buffer.observe(row({ status: "failed", logs: "counted 1\ncounted 2\n", output: ["1", "2"], error: "boom" }));
    expect(buffer.events.map((e) => `${e.id} ${e.event}`)).toEqual([
      `${EPOCH}:0 logs`,
      `${EPOCH}:1 output`,
      `${EPOCH}:2 output`,
      `${EPOCH}:3 error`,
      `${EPOCH}:4 done`,
    ]);
  });

  it("gives the same ids live and rebuilt when the logs came before the output", () => {
    const live = createStreamBuffer(CREATED);
    live.observe(row({ logs: "setup\n" }));
    live.observe(row({ logs: "setup\n", output: ["a"] }));
    live.observe(row({ logs: "setup\n", output: ["a", "b"] }));
    live.observe(row({ logs: "setup\n", output: ["a", "b"], status: "succeeded" }));
    const rebuilt = createStreamBuffer(CREATED);
    rebuilt.observe(row({ logs: "setup\n", output: ["a", "b"], status: "succeeded" }));
    expect(rebuilt.events).toEqual(live.events);
  });

  it("replays after a Last-Event-ID, and everything for a missing, malformed or foreign one", () => {
    const buffer = createStreamBuffer(CREATED);
    buffer.observe(row({ output: ["a", "b", "c"] }));
    expect(buffer.after(`${EPOCH}:0`).map((e) => e.data)).toEqual(["b", "c"]);
    expect(buffer.after(`${EPOCH}:2`)).toEqual([]);
    expect(buffer.after(null)).toHaveLength(3);
    expect(buffer.after("garbage")).toHaveLength(3);
    expect(buffer.after(`${EPOCH + 1}:0`)).toHaveLength(3);
  });

  it("counts the bytes its events hold", () => {
    const buffer = createStreamBuffer(CREATED);
    buffer.observe(row({ output: ["x".repeat(1000)] }));
    expect(buffer.bytes).toBeGreaterThanOrEqual(1000);
    expect(buffer.bytes).toBeLessThan(1200);
  });
});
