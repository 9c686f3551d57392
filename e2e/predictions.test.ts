// The official replicate client (1.4.0) drives hello-world and count end to end, on SQLite and PostgreSQL.
import { describe, expect, it } from "vitest";
import { DATABASE_KINDS } from "./support/databases.js";
import { clientFor, fetchWithHeaders, pollPrediction } from "./support/client.js";
import { useServerOn } from "./support/server-on-database.js";

describe.each(DATABASE_KINDS)("predictions through the official client on %s", (kind) => {
  const booted = useServerOn(kind);

  it("runs ferry/hello-world by name and returns its output", async () => {
    const output = await booted.replicate.run("ferry/hello-world", { input: { text: "Alice" } });
    expect(output).toBe("hello Alice");
  });

  it("runs a model by version id, as owner/name:version", async () => {
    const model = await booted.replicate.models.get("ferry", "hello-world");
    const versionId = model.latest_version?.id;
    expect(versionId).toMatch(/^[0-9a-f]{64}$/);
    const output = await booted.replicate.run(`ferry/hello-world:${versionId}`, { input: { text: "Bob" } });
    expect(output).toBe("hello Bob");
  });

  it("applies the schema default when an input is left out", async () => {
    expect(await booted.replicate.run("ferry/hello-world", { input: {} })).toBe("hello world");
  });

  it("collects an iterator model's output as an array of chunks, with one log line per step", async () => {
    const prediction = await booted.replicate.predictions.create({
      model: "ferry/count",
      input: { to: 4, delay_ms: 10 },
      wait: 60,
    });
    expect(prediction.status).toBe("succeeded");
    expect(prediction.output).toEqual(["1", "2", "3", "4"]);
    expect(prediction.logs).toContain("counted 4");
    expect(prediction.metrics?.predict_time).toBeGreaterThan(0);
    expect(prediction.metrics?.total_time).toBeGreaterThanOrEqual(prediction.metrics?.predict_time ?? 0);
    expect(prediction.started_at).not.toBeNull();
    expect(prediction.completed_at).not.toBeNull();
  });

  it("creates without waiting, then waits for the result by polling", async () => {
    const created = await booted.replicate.predictions.create({ model: "ferry/count", input: { to: 3, delay_ms: 50 } });
    expect(created.status).toBe("starting");
    expect(created.urls.get).toBe(`${booted.server.apiUrl}/predictions/${created.id}`);
    expect(created.id).toMatch(/^[a-z2-7]{26}$/);
    const done = await booted.replicate.wait(created, { interval: 100 });
    expect(done.status).toBe("succeeded");
    expect(done.output).toEqual(["1", "2", "3"]);
    const fetched = await booted.replicate.predictions.get(created.id);
    expect(fetched).toMatchObject({ id: created.id, status: "succeeded", model: "ferry/count", source: "api" });
  });

  it("reports a model's error as a failed prediction and run() throws it", async () => {
    await expect(booted.replicate.run("ferry/count", { input: { to: 5, delay_ms: 1, fail_at: 2 } })).rejects.toThrow(
      /Prediction failed: .*fail_at=2/,
    );
  });

  it("cancels a running prediction, which then stays canceled", async () => {
    const created = await booted.replicate.predictions.create({ model: "ferry/count", input: { to: 10000, delay_ms: 50 } });
    await pollPrediction(booted.replicate, created.id, (p) => p.status === "processing");
    const canceled = await booted.replicate.predictions.cancel(created.id);
    expect(canceled.status).toBe("canceled");
    expect(canceled.completed_at).not.toBeNull();
    await new Promise((r) => setTimeout(r, 500));
    const later = await booted.replicate.predictions.get(created.id);
    expect(later.status).toBe("canceled");
    // The instance is free again: the next prediction of the same model runs.
    expect(await booted.replicate.run("ferry/count", { input: { to: 2, delay_ms: 1 } })).toEqual(["1", "2"]);
  });

  it("returns a terminal prediction unchanged when it is canceled again", async () => {
    const prediction = await booted.replicate.predictions.create({ model: "ferry/hello-world", input: { text: "x" }, wait: 60 });
    expect(prediction.status).toBe("succeeded");
    const again = await booted.replicate.predictions.cancel(prediction.id);
    expect(again.status).toBe("succeeded");
    expect(again.output).toBe("hello x");
  });

  it("cancels a prediction whose Cancel-After deadline passes after it started", async () => {
    const withDeadline = clientFor(booted.server, { fetch: fetchWithHeaders({ "Cancel-After": "5s" }) });
    const created = await withDeadline.predictions.create({ model: "ferry/count", input: { to: 10000, delay_ms: 50 } });
    expect(created.deadline).toBeDefined();
    const ended = await pollPrediction(booted.replicate, created.id, (p) => p.status !== "starting" && p.status !== "processing", 30_000);
    expect(ended.status).toBe("canceled");
  });

  it("answers Prefer: wait=N with status starting when the wait runs out first", async () => {
    const response = await fetch(`${booted.server.apiUrl}/models/ferry/count/predictions`, {
      method: "POST",
      headers: { Authorization: `Bearer ${booted.server.token}`, "Content-Type": "application/json", Prefer: "wait=1" },
      body: JSON.stringify({ input: { to: 100, delay_ms: 100 } }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("preference-applied")).toBe("wait=1");
    const body = (await response.json()) as { id: string; status: string; urls: { get: string } };
    expect(body.status).toBe("starting");
    expect(response.headers.get("location")).toBe(body.urls.get);
    await booted.replicate.predictions.cancel(body.id);
  });

  it("lists predictions newest first and paginates with absolute next URLs", async () => {
    const created: string[] = [];
    for (let i = 0; i < 105; i++) {
      const p = await booted.replicate.predictions.create({ model: "ferry/hello-world", input: { text: `n${i}` } });
      created.push(p.id);
    }
    const first = await booted.replicate.predictions.list();
    expect(first.results.length).toBe(100);
    expect(first.next).toMatch(new RegExp(`^${booted.server.apiUrl}/predictions\\?`));
    expect(first.results[0]?.id).toBe(created.at(-1));
    const seen: string[] = [];
    for await (const page of booted.replicate.paginate(booted.replicate.predictions.list)) seen.push(...page.map((p) => p.id));
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of created) expect(seen).toContain(id);
  });
});
