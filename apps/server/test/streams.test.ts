// SSE over HTTP (spec §5): urls.stream on predictions that can stream, the exact headers and framing, live
// delivery without buffering, Last-Event-ID, 404 for forged tokens, disconnects and shutdown.
import { get } from "node:http";
import type { IncomingMessage } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Fastify from "fastify";
import { streamToken } from "@ferry/core";
import type { PredictionEvent, PredictionJSON } from "@ferry/core";
import { streamRoutes } from "../src/routes/streams.js";
import { PUBLIC_URL, startHarness } from "./support/harness.js";
import type { Harness } from "./support/harness.js";
import { GREETER_SCHEMA, STREAMER_SCHEMA, registerTestModel } from "./support/models.js";

const FILE_STREAMER_SCHEMA = {
  ...GREETER_SCHEMA,
  components: {
    schemas: {
      Input: GREETER_SCHEMA.components.schemas.Input,
      Output: { type: "array", title: "Output", items: { type: "string", format: "uri" }, "x-cog-array-type": "iterator" },
    },
  },
};

let h: Harness;
let base: string;
let models = 0;
beforeAll(async () => {
  h = await startHarness();
  await h.app.listen({ host: "127.0.0.1", port: 0 });
  const address = h.app.server.address();
  if (address === null || typeof address === "string") throw new Error("not listening");
  base = `http://127.0.0.1:${address.port}`;
});
afterAll(async () => { console.log("stats", JSON.stringify(h.engine.streams.stats())); await new Promise<void>((r) => h.app.server.getConnections((e, n) => { console.log("conns", n); r(); })); const t = Date.now(); await h.app.close(); console.log("app.close", Date.now() - t); await h.close(); console.log("total", Date.now() - t); });

/** A prediction of a fresh streaming model (its own version, so claims in one test never take another's). */
async function create(version?: string): Promise<PredictionJSON> {
  version ??= (await registerTestModel(h.engine, { name: `streamer-${++models}`, schema: STREAMER_SCHEMA })).version.id;
  const res = await h.call({ method: "POST", url: "/v1/predictions", payload: { version, input: { text: "hi" } } });
  expect(res.statusCode).toBe(201);
  return res.json<PredictionJSON>();
}

/** Claims the prediction as a runner would and returns a function reporting its events. */
async function run(prediction: PredictionJSON): Promise<(event: PredictionEvent) => Promise<unknown>> {
  const assignment = await h.engine.controlPlane.claim("test-runner", prediction.version);
  expect(assignment?.predictionId).toBe(prediction.id);
  const report = (event: PredictionEvent) => h.engine.controlPlane.report("test-runner", prediction.id, event);
  await report({ type: "started" });
  return report;
}

/** The stream URL's path on this test server (the public URL is https://ferry.test). */
const pathOf = (p: PredictionJSON): string => p.urls.stream!.slice(PUBLIC_URL.length);

/** Reads an SSE body chunk by chunk; next() resolves with the text once it holds `until`. */
function reader(response: Response) {
  const body = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  return {
    get text() {
      return text;
    },
    async until(needle: string, timeoutMs = 5_000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      while (!text.includes(needle)) {
        if (Date.now() > deadline) throw new Error(`no ${JSON.stringify(needle)} in ${JSON.stringify(text)}`);
        const { value, done } = await body.read();
        if (done) throw new Error(`stream ended without ${JSON.stringify(needle)}: ${JSON.stringify(text)}`);
        text += value;
      }
      return text;
    },
    async rest(): Promise<string> {
      for (;;) {
        const { value, done } = await body.read();
        if (done) return text;
        text += value;
      }
    },
    cancel: () => body.cancel(),
  };
}

describe("urls.stream", () => {
  it("is an absolute capability URL under /v1/streams/ for a model that can stream, on create, get and list", async () => {
    const created = await create();
    expect(created.urls.stream).toMatch(new RegExp(`^${PUBLIC_URL}/v1/streams/${created.id}\\.[A-Za-z0-9_-]+$`));
    const got = await h.call({ method: "GET", url: `/v1/predictions/${created.id}` });
    expect(got.json<PredictionJSON>().urls.stream).toBe(created.urls.stream);
    const listed = await h.call({ method: "GET", url: "/v1/predictions" });
    expect(listed.json<{ results: PredictionJSON[] }>().results.find((p) => p.id === created.id)?.urls.stream).toBe(created.urls.stream);
  });

  it("lives under /v1/files/streams/ when the stream's outputs are files", async () => {
    const { version } = await registerTestModel(h.engine, { name: "file-streamer", schema: FILE_STREAMER_SCHEMA });
    const created = await create(version.id);
    expect(created.urls.stream?.startsWith(`${PUBLIC_URL}/v1/files/streams/`)).toBe(true);
  });

  it("is absent for a model that cannot stream", async () => {
    const { version } = await registerTestModel(h.engine, { name: "greeter" });
    expect((await create(version.id)).urls.stream).toBeUndefined();
  });
});

describe("the stream", () => {
  it("replays a finished prediction with the exact headers and framing, without a token", async () => {
    const p = await create();
    const report = await run(p);
    await report({ type: "logs", text: "loading\n" });
    await report({ type: "output", chunk: "Hello" });
    await report({ type: "output", chunk: "\n\nFuzzy" });
    await report({ type: "succeeded" });
    const res = await h.app.inject({ method: "GET", url: pathOf(p) });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/event-stream");
    expect(res.headers["cache-control"]).toBe("no-cache");
    const epoch = Math.floor(Date.parse(p.created_at) / 1000);
    expect(res.body).toBe(
      `event: logs\nid: ${epoch}:0\ndata: loading\ndata: \n\n` +
        `event: output\nid: ${epoch}:1\ndata: Hello\n\n` +
        `event: output\nid: ${epoch}:2\ndata: \ndata: \ndata: Fuzzy\n\n` +
        `event: done\nid: ${epoch}:3\ndata: {}\n\n`,
    );
  });

  it("ends a failed prediction with an error event and done reason error", async () => {
    const p = await create();
    const report = await run(p);
    await report({ type: "failed", error: "Reached fail_at=1" });
    const res = await h.app.inject({ method: "GET", url: pathOf(p) });
    expect(res.body).toContain('event: error\nid: ');
    expect(res.body).toContain('data: {"detail":"Reached fail_at=1"}\n\n');
    expect(res.body.trimEnd().endsWith('data: {"reason":"error"}')).toBe(true);
  });

  it("answers 404 for a forged token and for a token of a prediction that does not exist", async () => {
    const p = await create();
    const forged = pathOf(p).replace(/.$/, (c) => (c === "A" ? "B" : "A"));
    for (const url of [forged, "/v1/streams/not-a-token", `/v1/streams/${streamToken(await h.engine.signingKey(), "nope")}`]) {
      const res = await h.app.inject({ method: "GET", url });
      expect(res.statusCode).toBe(404);
      expect(res.headers["content-type"]).toContain("application/problem+json");
    }
  });

  it("delivers each event as it happens, before the prediction ends, then closes after done", async () => {
    const p = await create();
    const response = await fetch(base + pathOf(p), { headers: { accept: "text/event-stream" } });
    expect(response.status).toBe(200);
    const body = reader(response);
    const report = await run(p);
    await report({ type: "output", chunk: "first" });
    await body.until("data: first\n\n");
    await report({ type: "output", chunk: "second" });
    await body.until("data: second\n\n");
    await report({ type: "succeeded" });
    const text = await body.rest();
    expect(text.trimEnd().endsWith("event: done\nid: " + `${Math.floor(Date.parse(p.created_at) / 1000)}:2\ndata: {}`)).toBe(true);
  });

  it("resumes after Last-Event-ID", async () => {
    const p = await create();
    const report = await run(p);
    for (const chunk of ["a", "b", "c"]) await report({ type: "output", chunk });
    await report({ type: "succeeded" });
    const epoch = Math.floor(Date.parse(p.created_at) / 1000);
    const res = await h.app.inject({ method: "GET", url: pathOf(p), headers: { "last-event-id": `${epoch}:1` } });
    expect(res.body).toBe(`event: output\nid: ${epoch}:2\ndata: c\n\nevent: done\nid: ${epoch}:3\ndata: {}\n\n`);
  });

  it("leaves no subscription behind when the client goes away", async () => {
    const p = await create();
    // node:http rather than fetch: undici opens a spare connection after an abort, which would hold up close().
    const request = get(base + pathOf(p));
    const response = await new Promise<IncomingMessage>((resolve) => request.once("response", resolve));
    expect(response.statusCode).toBe(200);
    await expect.poll(() => h.engine.streams.stats().listeners).toBe(1);
    request.destroy();
    await expect.poll(() => h.engine.streams.stats().listeners, { timeout: 5_000 }).toBe(0);
  });
});

describe("keep-alive and shutdown", () => {
  it("sends a keep-alive comment while a stream is idle", async () => {
    const app = Fastify();
    await app.register(async (open) => streamRoutes(open, { engine: h.engine, keepAliveMs: 20 }), { prefix: "/v1" });
    await app.listen({ host: "127.0.0.1", port: 0 });
    try {
      const address = app.server.address();
      if (address === null || typeof address === "string") throw new Error("not listening");
      const p = await create();
      const body = reader(await fetch(`http://127.0.0.1:${address.port}${pathOf(p)}`));
      await body.until(": keep-alive\n\n");
      await body.cancel();
    } finally {
      await app.close();
    }
  });

  it("ends open streams when the server closes, instead of waiting for them", async () => {
    const other = await startHarness();
    await registerTestModel(other.engine, { name: "streamer", schema: STREAMER_SCHEMA });
    await other.app.listen({ host: "127.0.0.1", port: 0 });
    const address = other.app.server.address();
    if (address === null || typeof address === "string") throw new Error("not listening");
    const res = await other.call({ method: "POST", url: "/v1/models/ferry/streamer/predictions", payload: { input: { text: "x" } } });
    const p = res.json<PredictionJSON>();
    const body = reader(await fetch(`http://127.0.0.1:${address.port}${pathOf(p)}`));
    await expect.poll(() => other.engine.streams.stats().listeners).toBe(1);
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(5_000);
    await body.rest();
  });
});
