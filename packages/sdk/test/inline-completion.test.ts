// An async PUT with the inline-completion header gets the terminal snapshot of a quick prediction in its 202 and
// no completed webhook; a slow one, or a request without the header, gets Cog's 202 and the completed webhook.
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { setTimeout as sleep } from "node:timers/promises";
import { defineModel, INLINE_COMPLETION_HEADER, type ModelServer } from "../src/index.js";
import { call, gate, serveReady, startWebhookReceiver, type WebhookReceiver } from "./support.js";

const cleanup: (ModelServer | WebhookReceiver)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((thing) => thing.close()));
});

let hold = gate();
const model = defineModel({
  input: z.object({ text: z.string(), wait: z.boolean().default(false) }),
  output: z.string(),
  async predict(input) {
    if (input.wait) await hold.promise;
    return `hello ${input.text}`;
  },
});

async function setup() {
  hold = gate();
  const receiver = await startWebhookReceiver();
  const server = await serveReady(model);
  cleanup.push(server, receiver);
  return { receiver, server };
}

const ASYNC = { prefer: "respond-async" };
const INLINE = { ...ASYNC, [INLINE_COMPLETION_HEADER]: "1" };

describe("inline completion", () => {
  it("answers a quick prediction's 202 with its terminal snapshot and sends no completed webhook", async () => {
    const { receiver, server } = await setup();
    const res = await call(server, "PUT", "/predictions/q1", { input: { text: "a" }, webhook: receiver.url }, INLINE);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: "q1", status: "succeeded", output: "hello a", error: null });
    expect(res.body["completed_at"]).not.toBeNull();
    // A later prediction's completed webhook arriving proves the first one's would have arrived by then.
    await call(server, "PUT", "/predictions/q2", { input: { text: "b" }, webhook: receiver.url }, ASYNC);
    await receiver.waitFor((d) => d.body.id === "q2" && d.body.status === "succeeded");
    await receiver.waitFor((d) => d.body.id === "q1");
    // Only the non-terminal start event went out for q1 (the default filter asks for it).
    expect(receiver.deliveries.filter((d) => d.body.id === "q1").map((d) => d.body.status)).toEqual(["processing"]);
  });

  it("answers a prediction still running with a processing 202 and delivers the completed webhook later", async () => {
    const { receiver, server } = await setup();
    const res = await call(server, "PUT", "/predictions/s1", { input: { text: "a", wait: true }, webhook: receiver.url }, INLINE);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: "s1", status: "processing", output: null });
    await sleep(20);
    hold.open();
    const done = await receiver.waitFor((d) => d.body.id === "s1" && d.body.status === "succeeded");
    expect(done.body.output).toBe("hello a");
  });

  it("keeps Cog's behaviour without the header: a processing 202 at once and the completed webhook", async () => {
    const { receiver, server } = await setup();
    const res = await call(server, "PUT", "/predictions/c1", { input: { text: "a" }, webhook: receiver.url }, ASYNC);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: "c1", status: "processing" });
    const done = await receiver.waitFor((d) => d.body.id === "c1" && d.body.status === "succeeded");
    expect(done.body.output).toBe("hello a");
  });
});

describe("input validation", () => {
  it("still runs a model whose input has an async refinement, and refuses input that fails it", async () => {
    const refined = defineModel({
      input: z.object({ name: z.string().refine(async (value) => value !== "nobody", "must be somebody") }),
      output: z.string(),
      predict: async (input) => `hi ${input.name}`,
    });
    const server = await serveReady(refined);
    cleanup.push(server);
    expect((await call(server, "POST", "/predictions", { input: { name: "ann" } })).body).toMatchObject({ status: "succeeded", output: "hi ann" });
    const refused = await call(server, "POST", "/predictions", { input: { name: "nobody" } });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ detail: [{ loc: ["body", "input", "name"], msg: "must be somebody" }] });
  });
});
