// replicate.stream() with the official client (1.4.0) against a real server, on SQLite and PostgreSQL: tokens
// live and in order, a prediction that already finished, failure and cancel endings, and Last-Event-ID.
import { describe, expect, it } from "vitest";
import { DATABASE_KINDS } from "./support/databases.js";
import { clientFor, pollPrediction } from "./support/client.js";
import { useServerOn } from "./support/server-on-database.js";

interface Event {
  event: string;
  data: unknown;
  id: string | undefined;
  at: number;
}

async function collect(iterator: AsyncIterable<{ event: string; data: unknown; id?: string }>): Promise<Event[]> {
  const events: Event[] = [];
  for await (const { event, data, id } of iterator) events.push({ event, data, id, at: Date.now() });
  return events;
}

/** The prediction id a stream URL's capability token names ("<id>.<mac>"). */
function predictionIdOf(streamUrl: string): string {
  return new URL(streamUrl).pathname.split("/").pop()!.split(".")[0]!;
}

describe.each(DATABASE_KINDS)("streaming through the official client on %s", (kind) => {
  const booted = useServerOn(kind);

  it("yields every token of ferry/count in order, each as it is produced, then done", async () => {
    const events = await collect(booted.replicate.stream("ferry/count", { input: { to: 5, delay_ms: 150 } }));
    expect(events.filter((e) => e.event === "output").map((e) => e.data)).toEqual(["1", "2", "3", "4", "5"]);
    expect(events.filter((e) => e.event === "logs").map((e) => e.data).join("")).toBe(
      "counted 1\ncounted 2\ncounted 3\ncounted 4\ncounted 5\n",
    );
    const last = events.at(-1)!;
    expect(last).toMatchObject({ event: "done", data: "{}" });
    // Live, not collected at the end: the first token came well before the end (4 more steps of 150 ms).
    const first = events.find((e) => e.event === "output")!;
    expect(last.at - first.at).toBeGreaterThan(400);
    // Ids are "<unix seconds>:<sequence>", strictly in order.
    const sequences = events.map((e) => Number(/^\d+:(\d+)$/.exec(e.id ?? "")?.[1]));
    expect(sequences).toEqual(sequences.map((_, i) => i));
  });

  it("replays a prediction that finished before the stream was opened, then ends with done", async () => {
    // The client opens urls.stream at once; this fetch holds that request back until the prediction ended.
    const late: typeof fetch = async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.includes("/v1/streams/")) {
        await pollPrediction(booted.replicate, predictionIdOf(url), (p) => p.status === "succeeded");
      }
      return fetch(input, init);
    };
    const events = await collect(clientFor(booted.server, { fetch: late }).stream("ferry/count", { input: { to: 3, delay_ms: 0 } }));
    expect(events.map((e) => [e.event, e.data])).toEqual([
      ["logs", "counted 1\ncounted 2\ncounted 3\n"],
      ["output", "1"],
      ["output", "2"],
      ["output", "3"],
      ["done", "{}"],
    ]);
  });

  it("fails the iterator with the error event's data when the model raises", async () => {
    const events: string[] = [];
    const attempt = (async () => {
      for await (const event of booted.replicate.stream("ferry/count", { input: { to: 5, delay_ms: 0, fail_at: 3 } })) {
        if (event.event === "output") events.push(String(event.data));
      }
    })();
    await expect(attempt).rejects.toThrow('{"detail":"Reached fail_at=3"}');
    expect(events).toEqual(["1", "2"]);
  });

  it("ends a canceled prediction's stream with done reason canceled", async () => {
    let streamUrl = "";
    const recording: typeof fetch = (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.includes("/v1/streams/")) streamUrl = url;
      return fetch(input, init);
    };
    const events: Event[] = [];
    for await (const { event, data, id } of clientFor(booted.server, { fetch: recording }).stream("ferry/count", { input: { to: 100, delay_ms: 100 } })) {
      events.push({ event, data, id, at: Date.now() });
      if (event === "output" && data === "2") await booted.replicate.predictions.cancel(predictionIdOf(streamUrl));
    }
    expect(events.at(-1)).toMatchObject({ event: "done", data: '{"reason":"canceled"}' });
    expect(events.filter((e) => e.event === "output").length).toBeLessThan(100);
  });

  it("resumes after Last-Event-ID, as a client that reconnects does", async () => {
    const prediction = await booted.replicate.predictions.create({ model: "ferry/count", input: { to: 3, delay_ms: 0 }, wait: 60 });
    expect(prediction.status).toBe("succeeded");
    const streamUrl = prediction.urls.stream!;
    const all = await (await fetch(streamUrl, { headers: { accept: "text/event-stream" } })).text();
    const ids = [...all.matchAll(/^id: (.+)$/gm)].map((m) => m[1]!);
    expect(ids).toHaveLength(5);
    const resumed = await fetch(streamUrl, { headers: { accept: "text/event-stream", "last-event-id": ids[2]! } });
    expect(resumed.headers.get("content-type")).toBe("text/event-stream");
    const rest = await resumed.text();
    expect([...rest.matchAll(/^event: (.+)$/gm)].map((m) => m[1])).toEqual(["output", "done"]);
    expect(rest).toContain("data: 3\n");
  });

  it("answers 404 for a forged stream URL", async () => {
    const prediction = await booted.replicate.predictions.create({ model: "ferry/count", input: { to: 1, delay_ms: 0 } });
    const forged = prediction.urls.stream!.replace(/.$/, (c) => (c === "A" ? "B" : "A"));
    const response = await fetch(forged);
    expect(response.status).toBe(404);
    await response.body?.cancel();
    await pollPrediction(booted.replicate, prediction.id, (p) => p.status === "succeeded");
  });
});
