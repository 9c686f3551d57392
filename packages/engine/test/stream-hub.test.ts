// SSE subscriptions through the engine: replay then live events as a runner reports them, late subscribers,
// Last-Event-ID, a stream rebuilt by another engine (a restart or another API node), and the hub's bounds.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Model, PredictionEvent, Version } from "@ferry/core";
import type { StreamEvent } from "../src/stream-hub.js";
import { createEngineFixture, eventually, ITERATOR_OUTPUT } from "./support/engine-fixture.js";
import type { EngineFixture } from "./support/engine-fixture.js";

let fx: EngineFixture;
let streaming: { model: Model; version: Version };
beforeEach(async () => {
  fx = await createEngineFixture({ streams: { pollMs: 20 } });
  streaming = await fx.register({ name: "llm", output: ITERATOR_OUTPUT });
});
afterEach(async () => fx.close());

async function running(): Promise<string> {
  const p = await fx.engine.predictions.create(fx.user, { target: { kind: "version", ref: streaming.version.id }, input: { prompt: "hi" } });
  await fx.engine.controlPlane.claim("runner-1", streaming.version.id);
  await report(p.id, { type: "started" });
  return p.id;
}

const report = (id: string, event: PredictionEvent) => fx.engine.controlPlane.report("runner-1", id, event);

function collector(): { events: StreamEvent[]; listener: (event: StreamEvent) => void; names(): string[] } {
  const events: StreamEvent[] = [];
  return { events, listener: (event) => events.push(event), names: () => events.map((e) => `${e.event}:${e.data}`) };
}

describe("the stream hub", () => {
  it("replays what happened before a subscriber came, then delivers each live event in order until done", async () => {
    const id = await running();
    await report(id, { type: "output", chunk: "Hello" });
    const seen = collector();
    const subscription = await fx.engine.streams.subscribe(id, null, seen.listener);
    expect(subscription?.finished).toBe(false);
    expect(seen.names()).toEqual(["output:Hello"]);

    await report(id, { type: "logs", text: "step 2\n" });
    await report(id, { type: "output", chunk: " world" });
    await report(id, { type: "succeeded" });
    expect(seen.names()).toEqual(["output:Hello", "logs:step 2\n", "output: world", "done:{}"]);
    const epoch = Math.floor(fx.clock.now().getTime() / 1000);
    expect(seen.events.map((e) => e.id)).toEqual([0, 1, 2, 3].map((n) => `${epoch}:${n}`));
    expect(fx.engine.streams.stats().listeners).toBe(0);
  });

  it("gives a subscriber that comes after the end the whole stream and done at once", async () => {
    const id = await running();
    await report(id, { type: "output", chunk: "1" });
    await report(id, { type: "output", chunk: "2" });
    await report(id, { type: "succeeded" });
    const seen = collector();
    const subscription = await fx.engine.streams.subscribe(id, null, seen.listener);
    expect(subscription?.finished).toBe(true);
    expect(seen.names()).toEqual(["output:1", "output:2", "done:{}"]);
  });

  it("resumes after a Last-Event-ID with the events that followed it", async () => {
    const id = await running();
    for (const chunk of ["a", "b", "c"]) await report(id, { type: "output", chunk });
    const first = collector();
    const subscription = await fx.engine.streams.subscribe(id, null, first.listener);
    subscription?.unsubscribe();
    await report(id, { type: "output", chunk: "d" });
    const resumed = collector();
    await fx.engine.streams.subscribe(id, first.events[1]!.id, resumed.listener);
    expect(resumed.names()).toEqual(["output:c", "output:d"]);
  });

  it("sends an error event with the detail and then done with reason error when the prediction fails", async () => {
    const id = await running();
    const seen = collector();
    await fx.engine.streams.subscribe(id, null, seen.listener);
    await report(id, { type: "output", chunk: "1" });
    await report(id, { type: "failed", error: "Reached fail_at=2" });
    expect(seen.names()).toEqual(["output:1", 'error:{"detail":"Reached fail_at=2"}', 'done:{"reason":"error"}']);
  });

  it("ends with done reason canceled when the prediction is canceled, even before it started", async () => {
    const p = await fx.engine.predictions.create(fx.user, { target: { kind: "version", ref: streaming.version.id }, input: { prompt: "hi" } });
    const seen = collector();
    await fx.engine.streams.subscribe(p.id, null, seen.listener);
    expect(seen.events).toEqual([]);
    await fx.engine.predictions.cancel(fx.user, p.id);
    expect(seen.names()).toEqual(['done:{"reason":"canceled"}']);
  });

  it("serves a prediction that cannot stream from its row: its output, then done", async () => {
    const p = await fx.engine.predictions.create(fx.user, { target: { kind: "version", ref: fx.version.id }, input: { prompt: "hi" } });
    await fx.engine.controlPlane.claim("runner-1", fx.version.id);
    await report(p.id, { type: "started" });
    await report(p.id, { type: "succeeded", output: "hello" });
    const seen = collector();
    await fx.engine.streams.subscribe(p.id, null, seen.listener);
    expect(seen.names()).toEqual(["output:hello", "done:{}"]);
  });

  it("resolves null for a prediction that does not exist", async () => {
    expect(await fx.engine.streams.subscribe("nope", null, () => {})).toBeNull();
    expect(fx.engine.streams.stats().entries).toBe(0);
  });

  it("rebuilds a finished stream from the stored row in another engine with the same ids when the logs came first", async () => {
    const id = await running();
    await report(id, { type: "logs", text: "loading\n" });
    const live = collector();
    await fx.engine.streams.subscribe(id, null, live.listener);
    await report(id, { type: "output", chunk: "a" });
    await report(id, { type: "output", chunk: "b" });
    await report(id, { type: "succeeded" });
    const restarted = fx.sibling().engine;
    const rebuilt = collector();
    await restarted.streams.subscribe(id, null, rebuilt.listener);
    expect(rebuilt.events).toEqual(live.events);
    const resumed = collector();
    await restarted.streams.subscribe(id, live.events[1]!.id, resumed.listener);
    expect(resumed.names()).toEqual(["output:b", "done:{}"]);
  });

  it("picks up events another API process wrote by re-reading the row while someone listens", async () => {
    const id = await running();
    const other = fx.sibling({ streams: { pollMs: 20 } }).engine;
    const seen = collector();
    await other.streams.subscribe(id, null, seen.listener);
    await report(id, { type: "output", chunk: "from elsewhere" });
    await report(id, { type: "succeeded" });
    await eventually(() => seen.events.length === 2);
    expect(seen.names()).toEqual(["output:from elsewhere", "done:{}"]);
    expect(other.streams.stats().listeners).toBe(0);
  });

  it("forgets a subscriber that unsubscribes, so it gets nothing more", async () => {
    const id = await running();
    const seen = collector();
    const subscription = await fx.engine.streams.subscribe(id, null, seen.listener);
    expect(fx.engine.streams.stats().listeners).toBe(1);
    subscription?.unsubscribe();
    expect(fx.engine.streams.stats().listeners).toBe(0);
    await report(id, { type: "output", chunk: "late" });
    expect(seen.events).toEqual([]);
  });
});

describe("the stream hub's bounds", () => {
  async function finishedWith(chunks: string[]): Promise<string> {
    const id = await running();
    for (const chunk of chunks) await report(id, { type: "output", chunk });
    await report(id, { type: "succeeded" });
    return id;
  }

  it("drops the oldest finished buffers first, never a live one somebody listens to, and rebuilds dropped ones from the row", async () => {
    const bounded = fx.sibling({ streams: { maxEntries: 2, pollMs: 20 } }).engine;
    const live = await running();
    const listening = collector();
    await bounded.streams.subscribe(live, null, listening.listener);
    const done = [await finishedWith(["1"]), await finishedWith(["2"]), await finishedWith(["3"])];
    for (const id of done) await bounded.streams.subscribe(id, null, () => {});
    expect(bounded.streams.stats()).toMatchObject({ entries: 2, listeners: 1 });

    await report(live, { type: "output", chunk: "still here" });
    await eventually(() => listening.events.length === 1);
    const again = collector();
    await bounded.streams.subscribe(done[0]!, null, again.listener);
    expect(again.names()).toEqual(["output:1", "done:{}"]);
  });

  it("keeps the text it holds under its byte bound", async () => {
    const bounded = fx.sibling({ streams: { maxBytes: 10_000 } }).engine;
    for (let i = 0; i < 4; i++) {
      const id = await finishedWith(["x".repeat(4_000)]);
      await bounded.streams.subscribe(id, null, () => {});
      expect(bounded.streams.stats().bytes).toBeLessThanOrEqual(10_000);
    }
    expect(bounded.streams.stats().entries).toBe(2);
  });

  it("holds nothing for predictions it was told to forget, however often", async () => {
    const id = await finishedWith(["x".repeat(100)]);
    await fx.engine.streams.subscribe(id, null, () => {});
    expect(fx.engine.streams.stats().bytes).toBeGreaterThan(100);
    fx.engine.streams.forget([id]);
    fx.engine.streams.forget([id]);
    expect(fx.engine.streams.stats()).toEqual({ entries: 0, bytes: 0, listeners: 0 });
  });
});
