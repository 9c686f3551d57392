// Shutdown's HTTP close: a response that never ends does not hold it past the grace period, and a server with
// nothing in flight closes at once.
import type { AddressInfo } from "node:net";
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { closeWithin } from "../src/http/close-within.js";

async function serverWithEndlessResponse() {
  const app = Fastify();
  let started!: () => void;
  const inFlight = new Promise<void>((resolve) => (started = resolve));
  app.get("/endless", (_request, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { "content-type": "text/plain" });
    reply.raw.write("never finished");
    started();
  });
  app.get("/quick", () => "ok");
  await app.listen({ port: 0, host: "127.0.0.1" });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return { app, url, inFlight };
}

describe("closeWithin", () => {
  it("closes the connections still open after the grace period, so close() ends", async () => {
    const { app, url, inFlight } = await serverWithEndlessResponse();
    const reading = fetch(`${url}/endless`).then(async (res) => res.text().catch(() => "cut"), () => "cut");
    await inFlight;
    const started = Date.now();
    await closeWithin(app, 300);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(5_000);
    expect(await reading).toBe("cut");
  });

  it("does not wait for the grace period when nothing is in flight", async () => {
    const { app, url } = await serverWithEndlessResponse();
    expect(await (await fetch(`${url}/quick`)).text()).toBe("ok");
    const started = Date.now();
    await closeWithin(app, 10_000);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("would wait for an endless response without the cut-off (why it exists)", async () => {
    const { app, url, inFlight } = await serverWithEndlessResponse();
    void fetch(`${url}/endless`).then(async (res) => res.text().catch(() => ""), () => "");
    await inFlight;
    const plain = await Promise.race([app.close().then(() => "closed"), new Promise((r) => setTimeout(() => r("still open"), 1_000))]);
    expect(plain).toBe("still open");
    app.server.closeAllConnections();
  });
});
