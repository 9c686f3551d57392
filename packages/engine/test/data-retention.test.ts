// Data retention on a fake clock: the expiry written when an API prediction ends (account setting, server
// default, forever), and the sweeper that empties expired predictions in batches, output files included.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { newId } from "@ferry/core";
import type { BlobStore, Prediction } from "@ferry/core";
import { createLocalBlobStore } from "@ferry/store";
import { assembleEngine } from "../src/create-engine.js";
import type { Engine, EngineOptions } from "../src/engine-types.js";
import { createEngineFixture, ITERATOR_OUTPUT } from "./support/engine-fixture.js";
import type { EngineFixture } from "./support/engine-fixture.js";

const HOUR_MS = 3_600_000;
let fx: EngineFixture;
let versionId: string;

async function open(options: EngineOptions = {}): Promise<void> {
  fx = await createEngineFixture(options);
  versionId = (await fx.register({ name: "llm", output: ITERATOR_OUTPUT })).version.id;
}
afterEach(async () => fx.close());

const row = async (id: string): Promise<Prediction> => (await fx.store.predictions.get(id))!;
const later = (ms: number): string => new Date(fx.clock.now().getTime() + ms).toISOString();

/** A prediction run to the end through the control plane, as a runner would, on `engine`. */
async function ended(options: { source?: "api" | "web"; end?: "succeeded" | "failed" | "canceled"; engine?: Engine } = {}): Promise<string> {
  const engine = options.engine ?? fx.engine;
  const p = await engine.predictions.create(fx.user, {
    target: { kind: "version", ref: versionId },
    input: { prompt: "private words" },
    source: options.source ?? "api",
  });
  await engine.controlPlane.claim("runner-1", versionId);
  await engine.controlPlane.report("runner-1", p.id, { type: "started" });
  await engine.controlPlane.report("runner-1", p.id, { type: "logs", text: "thinking\n" });
  await engine.controlPlane.report("runner-1", p.id, { type: "output", chunk: "secret" });
  const end = options.end ?? "succeeded";
  if (end === "canceled") await engine.predictions.cancel(fx.user, p.id);
  else await engine.controlPlane.report("runner-1", p.id, end === "failed" ? { type: "failed", error: "boom" } : { type: "succeeded" });
  return p.id;
}

describe("when a prediction ends", () => {
  beforeEach(() => open());

  it("an API prediction's data expires an hour after completion by default", async () => {
    const id = await ended();
    expect((await row(id)).dataExpiresAt).toBe(later(HOUR_MS));
  });

  it("failed and canceled API predictions expire too", async () => {
    expect((await row(await ended({ end: "failed" }))).dataExpiresAt).toBe(later(HOUR_MS));
    expect((await row(await ended({ end: "canceled" }))).dataExpiresAt).toBe(later(HOUR_MS));
  });

  it("a running prediction has no expiry yet", async () => {
    const p = await fx.engine.predictions.create(fx.user, { target: { kind: "version", ref: versionId }, input: { prompt: "x" } });
    await fx.engine.controlPlane.claim("runner-1", versionId);
    await fx.engine.controlPlane.report("runner-1", p.id, { type: "started" });
    expect((await row(p.id)).dataExpiresAt).toBeNull();
  });

  it("a web prediction is kept", async () => {
    expect((await row(await ended({ source: "web" }))).dataExpiresAt).toBeNull();
  });

  it("the account's own retention wins over the default, -1 keeps forever, and null goes back to the default", async () => {
    await fx.engine.retention.set(fx.user, 60);
    expect((await row(await ended())).dataExpiresAt).toBe(later(60_000));
    expect(await fx.engine.retention.get(fx.user)).toEqual({ seconds: 60, effectiveSeconds: 60 });
    await fx.engine.retention.set(fx.user, -1);
    expect((await row(await ended())).dataExpiresAt).toBeNull();
    await fx.engine.retention.set(fx.user, null);
    expect((await row(await ended())).dataExpiresAt).toBe(later(HOUR_MS));
    expect(await fx.engine.retention.get(fx.user)).toEqual({ seconds: null, effectiveSeconds: 3600 });
  });

  it("refuses a retention that is not whole seconds, -1 or null", async () => {
    for (const bad of [1.5, -2, Number.NaN]) {
      await expect(fx.engine.retention.set(fx.user, bad)).rejects.toMatchObject({ code: "validation_failed" });
    }
  });
});

describe("the server default", () => {
  it("comes from dataRetentionSeconds, where -1 keeps data forever", async () => {
    await open({ dataRetentionSeconds: -1 });
    expect((await row(await ended())).dataExpiresAt).toBeNull();
    await fx.engine.retention.set(fx.user, 5);
    expect((await row(await ended())).dataExpiresAt).toBe(later(5_000));
  });
});

describe("the retention sweeper", () => {
  beforeEach(() => open({ retentionBatchSize: 3 }));

  it("empties input, output and logs once the expiry passed, and leaves status, error and times", async () => {
    const id = await ended({ end: "failed" });
    const before = await row(id);
    fx.clock.advance(HOUR_MS - 1);
    expect(await fx.engine.retention.sweep()).toBe(0);
    expect((await row(id)).dataRemoved).toBe(false);
    fx.clock.advance(1);
    expect(await fx.engine.retention.sweep()).toBe(1);
    expect(await row(id)).toEqual({ ...before, input: {}, output: null, logs: "", dataRemoved: true, dataExpiresAt: null });
    expect(await fx.engine.retention.sweep()).toBe(0);
  });

  it("never touches a running prediction or a web one, however old", async () => {
    const web = await ended({ source: "web" });
    const p = await fx.engine.predictions.create(fx.user, { target: { kind: "version", ref: versionId }, input: { prompt: "x" } });
    await fx.engine.controlPlane.claim("runner-1", versionId);
    await fx.engine.controlPlane.report("runner-1", p.id, { type: "started" });
    await fx.engine.controlPlane.report("runner-1", p.id, { type: "logs", text: "still going\n" });
    fx.clock.advance(365 * 24 * HOUR_MS);
    expect(await fx.engine.retention.sweep()).toBe(0);
    expect(await row(p.id)).toMatchObject({ status: "processing", logs: "still going\n", dataRemoved: false });
    expect(await row(web)).toMatchObject({ logs: "thinking\n", output: ["secret"], dataRemoved: false });
  });

  it("works through more predictions than one batch holds", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push(await ended());
    fx.clock.advance(HOUR_MS);
    expect(await fx.engine.retention.sweep()).toBe(8);
    for (const id of ids) expect((await row(id)).dataRemoved).toBe(true);
  });

  it("drops the stream buffer, so the stream of a removed prediction is just done", async () => {
    const id = await ended();
    const before: string[] = [];
    await fx.engine.streams.subscribe(id, null, (e) => before.push(e.event));
    expect(before).toEqual(["logs", "output", "done"]);
    fx.clock.advance(HOUR_MS);
    await fx.engine.retention.sweep();
    const after: string[] = [];
    await fx.engine.streams.subscribe(id, null, (e) => after.push(e.event));
    expect(after).toEqual(["done"]);
  });
});

describe("the retention sweeper with a blob store", () => {
  let dir: string;
  let blobs: BlobStore;
  let engine: Engine;
  beforeEach(async () => {
    await open();
    dir = mkdtempSync(join(tmpdir(), "ferry-retention-blobs-"));
    blobs = createLocalBlobStore(dir);
    engine = assembleEngine({ store: fx.store, clock: fx.clock, blobs }).engine;
  });
  afterEach(async () => {
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function outputFile(predictionId: string): Promise<{ id: string; blobKey: string }> {
    const id = newId();
    const blobKey = `outputs/${predictionId}/${id}`;
    await blobs.put(blobKey, new TextEncoder().encode("png bytes"), "image/png");
    await fx.store.files!.create({
      id,
      accountId: fx.user.id,
      kind: "output",
      predictionId,
      name: "out.png",
      contentType: "image/png",
      size: 9,
      sha256: "0".repeat(64),
      md5: "0".repeat(32),
      metadata: {},
      blobKey,
      createdAt: fx.clock.iso(),
      expiresAt: null,
    });
    return { id, blobKey };
  }

  it("deletes the expired predictions' output files, bytes and rows, and keeps the others'", async () => {
    const expired = await ended({ engine });
    const kept = await ended({ engine, source: "web" });
    const gone = await outputFile(expired);
    const stays = await outputFile(kept);
    fx.clock.advance(HOUR_MS);
    expect(await engine.retention.sweep()).toBe(1);
    expect(await blobs.get(gone.blobKey)).toBeNull();
    expect(await fx.store.files!.get(gone.id)).toBeNull();
    expect(await blobs.get(stays.blobKey)).not.toBeNull();
    expect(await fx.store.files!.get(stays.id)).not.toBeNull();
  });
});
