// Webhooks end to end, on SQLite and PostgreSQL: a real receiver on 127.0.0.1 checks every delivery with the
// official client's validateWebhook and the secret from webhooks.default.secret.get(); the filter; the throttle
// of a fast ferry/count; a receiver that fails first and gets the same webhook-id again; and a completed
// delivery that survives a receiver outage and a server killed with SIGKILL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "./support/databases.js";
import { freePort } from "./support/free-port.js";
import { clientFor, pollPrediction } from "./support/client.js";
import { startWebhookReceiver, until, type WebhookReceiver } from "./support/webhook-receiver.js";
import { removeDataDir, startServer, type RunningServer } from "./support/server.js";
import { useServerOn } from "./support/server-on-database.js";

interface DeliveryLogEntry {
  id: string;
  event: string;
  status: string;
  attempts: { attempt: number; status_code: number | null; error: string | null }[];
}

/** GET /v1/predictions/{id}/webhooks (a Ferry extension the client has no method for). */
async function deliveryLog(server: RunningServer, predictionId: string): Promise<DeliveryLogEntry[]> {
  const response = await fetch(`${server.apiUrl}/predictions/${predictionId}/webhooks`, { headers: { authorization: `Bearer ${server.token}` } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { results: DeliveryLogEntry[] }).results;
}

/** The delivery log once no message is pending any more (every attempt made and recorded). */
async function settledLog(server: RunningServer, predictionId: string): Promise<DeliveryLogEntry[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const log = await deliveryLog(server, predictionId);
    if (log.every((entry) => entry.status !== "pending")) return log;
    if (Date.now() > deadline) throw new Error(`webhooks of ${predictionId} still pending: ${JSON.stringify(log)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const isDone = (p: { status: string }) => p.status === "succeeded" || p.status === "failed" || p.status === "canceled";

describe.each(DATABASE_KINDS)("webhooks on %s", (kind) => {
  let secret: string;
  let receiver: WebhookReceiver;

  const booted = useServerOn(kind);

  beforeAll(async () => {
    secret = (await booted.replicate.webhooks.default.secret.get()).key;
    receiver = await startWebhookReceiver(secret);
  });

  afterAll(async () => {
    await receiver?.close();
  });

  /** Runs ferry/count to the end with a webhook on its own path of the receiver; returns the finished prediction. */
  async function runCount(path: string, input: Record<string, unknown>, filter?: ("start" | "output" | "logs" | "completed")[]) {
    const created = await booted.replicate.predictions.create({
      model: "ferry/count",
      input,
      webhook: `${receiver.url}${path}`,
      ...(filter ? { webhook_events_filter: filter } : {}),
    });
    const done = await pollPrediction(booted.replicate, created.id, isDone);
    await until(() => receiver.deliveries.some((d) => d.path === path && isDone(d.prediction)), 15_000, `the completed delivery to ${path}`);
    return { prediction: done, deliveries: () => receiver.deliveries.filter((d) => d.path === path) };
  }

  it("serves one whsec_ secret per account", async () => {
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    expect((await booted.replicate.webhooks.default.secret.get()).key).toBe(secret);
  });

  it("sends every event by default, each one signed, the last one exactly as GET returns the prediction", async () => {
    const { prediction, deliveries } = await runCount("/all?user=7", { to: 3, delay_ms: 600 });
    expect(prediction.status).toBe("succeeded");
    const log = await settledLog(booted.server, prediction.id);
    expect(log.every((entry) => entry.status === "delivered")).toBe(true);
    const events = log.map((entry) => entry.event);
    expect(events[0]).toBe("start");
    expect(events.at(-1)).toBe("completed");
    expect(new Set(events)).toEqual(new Set(["start", "output", "logs", "completed"]));
    expect(deliveries().every((d) => d.valid)).toBe(true);
    expect(deliveries()).toHaveLength(events.length);
    const completed = deliveries().find((d) => d.prediction.status === "succeeded");
    expect(completed?.prediction).toEqual(JSON.parse(JSON.stringify(await booted.replicate.predictions.get(prediction.id))));
  });

  it("sends only the events webhook_events_filter names", async () => {
    const { prediction, deliveries } = await runCount("/filtered", { to: 5, delay_ms: 50 }, ["start", "completed"]);
    expect(deliveries().map((d) => d.prediction.status)).toEqual(["processing", "succeeded"]);
    expect(deliveries().every((d) => d.valid)).toBe(true);
    expect((await settledLog(booted.server, prediction.id)).map((entry) => [entry.event, entry.status])).toEqual([
      ["start", "delivered"],
      ["completed", "delivered"],
    ]);
  });

  it("throttles a fast stream of output to about two deliveries a second, the last one carrying the full output", async () => {
    const to = 80;
    const { prediction, deliveries } = await runCount("/throttled", { to, delay_ms: 25 }, ["output", "completed"]);
    await settledLog(booted.server, prediction.id);
    const full = Array.from({ length: to }, (_, i) => String(i + 1));
    expect(prediction.output).toEqual(full);
    const outputs = deliveries().filter((d) => d.prediction.status === "processing");
    const runSeconds = prediction.metrics?.predict_time ?? 0;
    expect(runSeconds).toBeGreaterThan(1.5);
    expect(outputs.length).toBeGreaterThanOrEqual(2);
    expect(outputs.length).toBeLessThanOrEqual(Math.ceil(runSeconds * 2) + 2);
    // Each delivery reports more output than the one before, and the last one has all of it.
    const sizes = outputs.map((d) => (d.prediction.output as string[]).length);
    expect([...sizes].sort((a, b) => a - b)).toEqual(sizes);
    expect(outputs.at(-1)?.prediction.output).toEqual(full);
    expect(deliveries().find((d) => d.prediction.status === "succeeded")?.prediction.output).toEqual(full);
    expect(deliveries().every((d) => d.valid)).toBe(true);
  });

  it("retries a completed delivery the receiver refused, with the same webhook-id and a fresh signature", async () => {
    const failing = await startWebhookReceiver(secret);
    failing.answer((index) => (index === 0 ? 500 : 200));
    try {
      const created = await booted.replicate.predictions.create({
        model: "ferry/count",
        input: { to: 2, delay_ms: 1 },
        webhook: `${failing.url}/retry`,
        webhook_events_filter: ["completed"],
      });
      await pollPrediction(booted.replicate, created.id, isDone);
      await until(() => failing.deliveries.length >= 2, 15_000, "the retry");
      const [first, second] = failing.deliveries;
      expect(second!.id).toBe(first!.id);
      expect(second!.timestamp).toBeGreaterThan(first!.timestamp);
      expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(900);
      expect(failing.deliveries.every((d) => d.valid)).toBe(true);
      const [entry] = await settledLog(booted.server, created.id);
      expect(entry).toMatchObject({ id: first!.id, event: "completed", status: "delivered" });
      expect(entry!.attempts.map((a) => a.status_code)).toEqual([500, 200]);
    } finally {
      await failing.close();
    }
  });
});

describe.each(DATABASE_KINDS)("the completed webhook across a receiver outage and kill -9 on %s", (kind) => {
  let database: TestDatabase | undefined;
  const servers: RunningServer[] = [];
  let receiver: WebhookReceiver | undefined;

  afterAll(async () => {
    await receiver?.close();
    for (const server of servers) await server.kill();
    await database?.drop();
    if (servers[0]) removeDataDir(servers[0].dataDir);
  });

  it("is delivered by the restarted server once the receiver is back", async () => {
    database = await createTestDatabase(kind);
    const first = await startServer({ databaseUrl: database.url });
    servers.push(first);
    const before = clientFor(first);
    const secret = (await before.webhooks.default.secret.get()).key;
    // Nothing listens here yet: every attempt until the receiver starts is refused.
    const receiverPort = await freePort();

    const created = await before.predictions.create({
      model: "ferry/count",
      input: { to: 3, delay_ms: 1 },
      webhook: `http://127.0.0.1:${receiverPort}/durable`,
      webhook_events_filter: ["completed"],
    });
    const done = await pollPrediction(before, created.id, isDone, 60_000);
    expect(done.status).toBe("succeeded");
    await first.kill();

    receiver = await startWebhookReceiver(secret, receiverPort);
    const second = await startServer({ databaseUrl: database.url, dataDir: first.dataDir, port: first.port });
    servers.push(second);

    await until(() => receiver!.deliveries.length > 0, 60_000, "the completed delivery after the restart");
    const [delivery] = receiver.deliveries;
    expect(delivery!.valid).toBe(true);
    expect(delivery!.prediction).toMatchObject({ id: created.id, status: "succeeded", output: ["1", "2", "3"] });
    const [entry] = await settledLog(second, created.id);
    expect(entry).toMatchObject({ id: delivery!.id, event: "completed", status: "delivered" });
    // Attempts made while the receiver was down were refused; the one after the restart got through.
    expect(entry!.attempts.at(-1)?.status_code).toBe(200);
    for (const attempt of entry!.attempts.slice(0, -1)) expect(attempt).toMatchObject({ status_code: null, error: expect.stringMatching(/ECONNREFUSED/) });
  });
});
